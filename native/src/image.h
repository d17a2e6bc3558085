/*
 * Finds the extent of a module image handed to cuModuleLoadData/-Ex/-FatBinary, which CUDA
 * passes as a bare pointer: PTX text (NUL-terminated), a fat binary (header magic 0xBA55ED50),
 * a fat binary wrapper (magic 0x466243B1, pointing at a fat binary), or an ELF cubin.
 * Pure functions, thread-safe.
 */
#ifndef GM_IMAGE_H
#define GM_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define GM_FATBIN_MAGIC 0xBA55ED50u
#define GM_FATBIN_WRAPPER_MAGIC 0x466243B1u
/** Images larger than this are rejected as corrupt before anything is read past the headers. */
#define GM_IMAGE_SIZE_LIMIT ((uint64_t)1 << 30)

enum gm_image_kind { GM_IMAGE_PTX, GM_IMAGE_FATBIN, GM_IMAGE_FATBIN_WRAPPER, GM_IMAGE_ELF };

struct gm_image {
    enum gm_image_kind kind;
    const void *data; /* what to send: for a wrapper, the fat binary it points at */
    size_t size;      /* bytes to send (PTX: without its NUL) */
};

/**
 * Classifies image and measures it. Returns 0, or -1 with a reason in err when the headers
 * are inconsistent (sizes below the header size, above GM_IMAGE_SIZE_LIMIT, a null pointer).
 */
int gm_image_measure(const void *image, struct gm_image *out, char *err, size_t err_len);

const char *gm_image_kind_name(enum gm_image_kind kind);

#endif
