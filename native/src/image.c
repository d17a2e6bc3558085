/* Module image classification and size detection; see image.h. */
#include "image.h"

#include <elf.h>
#include <stdio.h>
#include <string.h>

static uint32_t read_u32(const void *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

const char *gm_image_kind_name(enum gm_image_kind kind)
{
    switch (kind) {
    case GM_IMAGE_PTX: return "PTX";
    case GM_IMAGE_FATBIN: return "fat binary";
    case GM_IMAGE_FATBIN_WRAPPER: return "fat binary wrapper";
    case GM_IMAGE_ELF: return "ELF cubin";
    }
    return "unknown";
}

/* Fat binary header: u32 magic, u16 version, u16 headerSize, u64 fatSize (bytes after it). */
static int measure_fatbin(const uint8_t *p, struct gm_image *out, char *err, size_t err_len)
{
    uint16_t header_size;
    uint64_t fat_size;
    memcpy(&header_size, p + 6, sizeof header_size);
    memcpy(&fat_size, p + 8, sizeof fat_size);
    if (header_size < 16 || fat_size > GM_IMAGE_SIZE_LIMIT) {
        snprintf(err, err_len, "fat binary header size %u (minimum 16) or fat size %llu (maximum %llu) is invalid",
                 header_size, (unsigned long long)fat_size, (unsigned long long)GM_IMAGE_SIZE_LIMIT);
        return -1;
    }
    out->data = p;
    out->size = (size_t)(header_size + fat_size);
    return 0;
}

/* ELF64 cubin: the image ends where the last of its headers or section contents ends. */
static int measure_elf(const uint8_t *p, struct gm_image *out, char *err, size_t err_len)
{
    if (p[EI_CLASS] != ELFCLASS64) {
        snprintf(err, err_len, "ELF class %u is not supported (only ELFCLASS64 cubins)", p[EI_CLASS]);
        return -1;
    }
    Elf64_Ehdr eh;
    memcpy(&eh, p, sizeof eh);
    uint64_t end = eh.e_ehsize > sizeof eh ? eh.e_ehsize : sizeof eh;
    if (eh.e_phnum && eh.e_phoff + (uint64_t)eh.e_phnum * eh.e_phentsize > end)
        end = eh.e_phoff + (uint64_t)eh.e_phnum * eh.e_phentsize;
    if (eh.e_shnum && eh.e_shentsize < sizeof(Elf64_Shdr)) {
        snprintf(err, err_len, "ELF section header size %u is below %zu", eh.e_shentsize, sizeof(Elf64_Shdr));
        return -1;
    }
    if (eh.e_shoff > GM_IMAGE_SIZE_LIMIT || eh.e_phoff > GM_IMAGE_SIZE_LIMIT) {
        snprintf(err, err_len, "ELF header offsets (section %llu, program %llu) exceed %llu",
                 (unsigned long long)eh.e_shoff, (unsigned long long)eh.e_phoff,
                 (unsigned long long)GM_IMAGE_SIZE_LIMIT);
        return -1;
    }
    uint64_t sh_end = eh.e_shoff + (uint64_t)eh.e_shnum * eh.e_shentsize;
    if (sh_end > end)
        end = sh_end;
    for (unsigned i = 0; i < eh.e_shnum; i++) {
        Elf64_Shdr sh;
        memcpy(&sh, p + eh.e_shoff + (uint64_t)i * eh.e_shentsize, sizeof sh);
        if (sh.sh_type == SHT_NOBITS)
            continue;
        if (sh.sh_offset > GM_IMAGE_SIZE_LIMIT || sh.sh_size > GM_IMAGE_SIZE_LIMIT) {
            snprintf(err, err_len, "ELF section %u (offset %llu, size %llu) lies beyond %llu bytes", i,
                     (unsigned long long)sh.sh_offset, (unsigned long long)sh.sh_size,
                     (unsigned long long)GM_IMAGE_SIZE_LIMIT);
            return -1;
        }
        if (sh.sh_offset + sh.sh_size > end)
            end = sh.sh_offset + sh.sh_size;
    }
    if (end > GM_IMAGE_SIZE_LIMIT) {
        snprintf(err, err_len, "ELF image size %llu exceeds %llu", (unsigned long long)end,
                 (unsigned long long)GM_IMAGE_SIZE_LIMIT);
        return -1;
    }
    out->data = p;
    out->size = (size_t)end;
    return 0;
}

int gm_image_measure(const void *image, struct gm_image *out, char *err, size_t err_len)
{
    const uint8_t *p = image;
    if (p == NULL) {
        snprintf(err, err_len, "image pointer is NULL");
        return -1;
    }
    /* A string shorter than 4 bytes is PTX; stop at its NUL instead of reading past it. */
    int short_text = p[0] == 0 || p[1] == 0 || p[2] == 0 || p[3] == 0;
    uint32_t magic = short_text ? 0 : read_u32(p);
    if (magic == GM_FATBIN_MAGIC) {
        out->kind = GM_IMAGE_FATBIN;
        return measure_fatbin(p, out, err, err_len);
    }
    if (magic == GM_FATBIN_WRAPPER_MAGIC) {
        /* struct { int magic; int version; const unsigned long long *data; void *filename; } */
        const uint8_t *fatbin;
        memcpy(&fatbin, p + 8, sizeof fatbin);
        if (fatbin == NULL || read_u32(fatbin) != GM_FATBIN_MAGIC) {
            snprintf(err, err_len, "fat binary wrapper does not point at a fat binary (magic 0x%08x)",
                     fatbin ? read_u32(fatbin) : 0u);
            return -1;
        }
        out->kind = GM_IMAGE_FATBIN_WRAPPER;
        return measure_fatbin(fatbin, out, err, err_len);
    }
    if (!short_text && memcmp(p, ELFMAG, SELFMAG) == 0) {
        out->kind = GM_IMAGE_ELF;
        return measure_elf(p, out, err, err_len);
    }
    out->kind = GM_IMAGE_PTX;
    out->data = p;
    out->size = strlen((const char *)p);
    return 0;
}
