/* Unit tests of the frame encoder/decoder (frame.c) and of module image measurement (image.c). */
#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "frame.h"
#include "image.h"

static void test_header_round_trip(void)
{
    struct gm_buf b;
    gm_buf_init(&b);
    gm_frame_put_header(&b, GM_OP_MEM_ALLOC, GM_FLAG_REPLY_WANTED, 0x0102030405060708ull, 8);
    gm_buf_put_u64(&b, 4096);
    CHECK_EQ(b.len, 24);
    /* little-endian on the wire: length 20 = 12 + 8 */
    CHECK(b.data[0] == 20 && b.data[1] == 0 && b.data[4] == 0x30 && b.data[6] == 1 && b.data[8] == 0x08,
          "header bytes %02x %02x %02x %02x %02x", b.data[0], b.data[1], b.data[4], b.data[6], b.data[8]);
    struct gm_frame_header h;
    char err[128];
    CHECK_EQ(gm_frame_decode_header(b.data, &h, err, sizeof err), 0);
    CHECK_EQ(h.length, 20);
    CHECK_EQ(h.op, GM_OP_MEM_ALLOC);
    CHECK_EQ(h.flags, GM_FLAG_REPLY_WANTED);
    CHECK(h.seq == 0x0102030405060708ull, "seq %llx", (unsigned long long)h.seq);
    struct gm_reader r;
    gm_reader_init(&r, b.data + GM_FRAME_HEADER_SIZE, b.len - GM_FRAME_HEADER_SIZE);
    CHECK_EQ(gm_get_u64(&r), 4096);
    CHECK_EQ(r.failed, 0);
    gm_buf_free(&b);
}

static void test_header_rejects_bad_values(void)
{
    struct gm_buf b;
    struct gm_frame_header h;
    char err[128] = "";
    gm_buf_init(&b);
    gm_buf_put_u32(&b, 11); /* below the 12-byte minimum */
    gm_buf_put_u16(&b, GM_OP_REPLY);
    gm_buf_put_u16(&b, 0);
    gm_buf_put_u64(&b, 1);
    CHECK_EQ(gm_frame_decode_header(b.data, &h, err, sizeof err), -1);
    CHECK(strstr(err, "11") != NULL && strstr(err, "16781324") != NULL, "message: %s", err);
    b.len = 0;
    gm_frame_put_header(&b, GM_OP_REPLY, 0, 1, GM_MAX_FRAME_LENGTH); /* 12 + max > max */
    CHECK_EQ(gm_frame_decode_header(b.data, &h, err, sizeof err), -1);
    b.len = 0;
    gm_frame_put_header(&b, GM_OP_REPLY, 0x4, 1, 0);
    CHECK_EQ(gm_frame_decode_header(b.data, &h, err, sizeof err), -1);
    CHECK(strstr(err, "0x4") != NULL, "message: %s", err);
    b.len = 0;
    gm_frame_put_header(&b, GM_OP_REPLY, 0, 1, GM_MAX_FRAME_LENGTH - 12); /* exactly the maximum */
    CHECK_EQ(gm_frame_decode_header(b.data, &h, err, sizeof err), 0);
    gm_buf_free(&b);
}

static void test_reader_bounds_and_strings(void)
{
    struct gm_buf b;
    gm_buf_init(&b);
    gm_buf_put_str(&b, "saxpy_kernel");
    gm_buf_put_i32(&b, -7);
    struct gm_reader r;
    char name[6];
    gm_reader_init(&r, b.data, b.len);
    gm_get_str(&r, name, sizeof name);
    CHECK(strcmp(name, "saxpy") == 0, "truncated string '%s'", name);
    CHECK_EQ(gm_get_i32(&r), -7);
    CHECK_EQ(r.failed, 0);
    CHECK_EQ(gm_get_u8(&r), 0);
    CHECK_EQ(r.failed, 1);
    /* a string whose length runs past the end */
    b.len = 0;
    gm_buf_put_u32(&b, 100);
    gm_buf_put_bytes(&b, "abc", 3);
    gm_reader_init(&r, b.data, b.len);
    gm_get_str(&r, name, sizeof name);
    CHECK(r.failed && name[0] == '\0', "failed %d name '%s'", r.failed, name);
    gm_buf_free(&b);
}

static void test_op_table(void)
{
    CHECK_EQ(gm_op_kind(GM_OP_LAUNCH_KERNEL), GM_KIND_ASYNC);
    CHECK_EQ(gm_op_kind(GM_OP_MEMCPY_HTOD), GM_KIND_ASYNC);
    CHECK_EQ(gm_op_kind(GM_OP_MEMCPY_DTOH), GM_KIND_SYNC);
    CHECK_EQ(gm_op_kind(GM_OP_MEM_ALLOC), GM_KIND_CALL);
    CHECK_EQ(gm_op_kind(0x7fff), -1);
    CHECK(strcmp(gm_op_name(0x0060), "LAUNCH_KERNEL") == 0, "name %s", gm_op_name(0x0060));
}

static void put_fatbin_header(uint8_t *p, uint16_t header_size, uint64_t fat_size)
{
    uint32_t magic = GM_FATBIN_MAGIC;
    uint16_t version = 1;
    memcpy(p, &magic, 4);
    memcpy(p + 4, &version, 2);
    memcpy(p + 6, &header_size, 2);
    memcpy(p + 8, &fat_size, 8);
}

static void test_image_ptx_and_fatbin(void)
{
    struct gm_image img;
    char err[256];
    const char *ptx = "//\n.version 8.8\n.target sm_90\n.address_size 64\n";
    CHECK_EQ(gm_image_measure(ptx, &img, err, sizeof err), 0);
    CHECK_EQ(img.kind, GM_IMAGE_PTX);
    CHECK_EQ(img.size, strlen(ptx));
    CHECK_EQ(gm_image_measure("ab", &img, err, sizeof err), 0);
    CHECK_EQ(img.size, 2);

    static uint8_t fatbin[16 + 100];
    put_fatbin_header(fatbin, 16, 100);
    CHECK_EQ(gm_image_measure(fatbin, &img, err, sizeof err), 0);
    CHECK_EQ(img.kind, GM_IMAGE_FATBIN);
    CHECK_EQ(img.size, 116);

    struct { int magic; int version; const void *data; void *filename; } wrapper = {
        (int)GM_FATBIN_WRAPPER_MAGIC, 1, fatbin, NULL };
    CHECK_EQ(gm_image_measure(&wrapper, &img, err, sizeof err), 0);
    CHECK_EQ(img.kind, GM_IMAGE_FATBIN_WRAPPER);
    CHECK(img.data == fatbin, "wrapper should yield the fat binary it points at");
    CHECK_EQ(img.size, 116);

    wrapper.data = ptx;
    CHECK_EQ(gm_image_measure(&wrapper, &img, err, sizeof err), -1);
    put_fatbin_header(fatbin, 8, 100);
    CHECK_EQ(gm_image_measure(fatbin, &img, err, sizeof err), -1);
    CHECK(strstr(err, "header size 8") != NULL, "message: %s", err);
}

static void test_image_elf(void)
{
    static uint8_t elf[0x600];
    Elf64_Ehdr eh = { 0 };
    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ehsize = sizeof eh;
    eh.e_shoff = 0x200;
    eh.e_shnum = 3;
    eh.e_shentsize = sizeof(Elf64_Shdr);
    memcpy(elf, &eh, sizeof eh);
    Elf64_Shdr sh[3] = { { 0 } };
    sh[1].sh_type = SHT_PROGBITS;
    sh[1].sh_offset = 0x40;
    sh[1].sh_size = 0x100;
    sh[2].sh_type = SHT_NOBITS; /* occupies no file bytes: must not count */
    sh[2].sh_offset = 0x1000;
    sh[2].sh_size = 0x5000;
    memcpy(elf + 0x200, sh, sizeof sh);
    struct gm_image img;
    char err[256];
    CHECK_EQ(gm_image_measure(elf, &img, err, sizeof err), 0);
    CHECK_EQ(img.kind, GM_IMAGE_ELF);
    CHECK_EQ(img.size, 0x200 + 3 * sizeof(Elf64_Shdr));

    sh[1].sh_offset = 0x400; /* contents after the section headers */
    memcpy(elf + 0x200, sh, sizeof sh);
    CHECK_EQ(gm_image_measure(elf, &img, err, sizeof err), 0);
    CHECK_EQ(img.size, 0x500);
}

/* A real ELF file, this test's own executable, measures as its file size. */
static void test_image_real_elf(void)
{
    FILE *f = fopen("/proc/self/exe", "rb");
    CHECK(f != NULL, "cannot open /proc/self/exe");
    if (f == NULL)
        return;
    struct stat st;
    fstat(fileno(f), &st);
    uint8_t *data = malloc((size_t)st.st_size);
    size_t n = fread(data, 1, (size_t)st.st_size, f);
    fclose(f);
    CHECK_EQ(n, st.st_size);
    struct gm_image img;
    char err[256];
    CHECK_EQ(gm_image_measure(data, &img, err, sizeof err), 0);
    CHECK_EQ(img.size, st.st_size);
    free(data);
}

int main(void)
{
    test_header_round_trip();
    test_header_rejects_bad_values();
    test_reader_bounds_and_strings();
    test_op_table();
    test_image_ptx_and_fatbin();
    test_image_elf();
    test_image_real_elf();
    return check_result("test_frame");
}
