/* The fake device of the test fakes; see fake_device.h. */
#include "fake_device.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

struct fake_stats fake_stats;
static uint8_t *memory;          /* device memory at FAKE_BASE */
static uint64_t next_alloc = FAKE_BASE;
static int32_t deferred;         /* first failed ASYNC op's status, reported by the next SYNC */
static uint64_t handle_counter = 0x1000;
static uint8_t *shm_base;        /* the client's shared-memory window, once attached */
static uint64_t shm_size;
static int forget_after;         /* drop the window after this many window copies (0: never) */

void fake_forget_window_after(int n)
{
    forget_after = n;
}

void fake_device_reset(void)
{
    fake_device_free();
    memset(&fake_stats, 0, sizeof fake_stats);
    next_alloc = FAKE_BASE;
    deferred = 0;
    handle_counter = 0x1000;
    memory = calloc(1, FAKE_MEMORY);
}

void fake_device_free(void)
{
    free(memory);
    memory = NULL;
    if (shm_base)
        munmap(shm_base, shm_size);
    shm_base = NULL;
}

/* Device memory range check; 0 when [addr, addr+n) lies in the fake memory. */
static uint8_t *at(uint64_t addr, uint64_t n)
{
    if (addr < FAKE_BASE || addr + n > FAKE_BASE + FAKE_MEMORY || addr + n < addr)
        return NULL;
    return memory + (addr - FAKE_BASE);
}

static void fail_async(int32_t status)
{
    if (deferred == 0)
        deferred = status;
}

/* The fake kernel "axpy"(const float *x, float a, float *y): y[i] = a*x[i] + y[i], i < grid*block. */
static void launch(struct gm_reader *r)
{
    uint64_t function = gm_get_u64(r);
    uint32_t grid = gm_get_u32(r), gy = gm_get_u32(r), gz = gm_get_u32(r);
    uint32_t block = gm_get_u32(r), by = gm_get_u32(r), bz = gm_get_u32(r);
    (void)gm_get_u32(r); /* shared memory */
    (void)gm_get_u64(r); /* stream */
    uint32_t param_bytes = gm_get_u32(r);
    uint8_t params[24];
    __atomic_add_fetch(&fake_stats.launches, 1, __ATOMIC_RELAXED);
    if (r->failed || function != 0x6000 || param_bytes != 24 || gy != 1 || gz != 1 || by != 1 || bz != 1) {
        fail_async(1);
        return;
    }
    gm_get_bytes(r, params, 24);
    uint64_t x, y;
    float a;
    memcpy(&x, params, 8);
    memcpy(&a, params + 8, 4);
    memcpy(&y, params + 16, 8);
    uint64_t n = (uint64_t)grid * block;
    float *xs = (float *)at(x, n * 4), *ys = (float *)at(y, n * 4);
    if (xs == NULL || ys == NULL) {
        fail_async(700); /* CUDA_ERROR_ILLEGAL_ADDRESS */
        return;
    }
    for (uint64_t i = 0; i < n; i++)
        ys[i] = a * xs[i] + ys[i];
}

/* Executes one op; returns the status to reply with (ASYNC ops: ignored). */
static int32_t execute(uint16_t op, struct gm_reader *r, struct gm_buf *out, int fd, uint64_t seq, int *replied)
{
    switch (op) {
    case GM_OP_DEVICE_GET_PROPERTIES:
        gm_buf_put_u32(out, 100);
        for (int i = 0; i < 100; i++)
            gm_buf_put_i32(out, i == 1 ? 1024 : i == 75 ? 9 : i == 76 ? 0 : i == 10 ? 32 : i);
        {
            char name[256] = "Fake H200";
            uint8_t uuid[16];
            for (int i = 0; i < 16; i++)
                uuid[i] = (uint8_t)(0xA0 + i);
            gm_buf_put_bytes(out, name, sizeof name);
            gm_buf_put_bytes(out, uuid, sizeof uuid);
        }
        gm_buf_put_u64(out, 80ull << 30);
        gm_buf_put_i32(out, FAKE_DRIVER_VERSION);
        return 0;
    case GM_OP_CTX_CREATE:
        fake_stats.last_ctx_flags = gm_get_u32(r);
        gm_buf_put_u64(out, ++handle_counter);
        return 0;
    case GM_OP_GOODBYE:
    case GM_OP_CTX_DESTROY:
    case GM_OP_CTX_SYNCHRONIZE:
    case GM_OP_MEM_FREE:
    case GM_OP_MODULE_UNLOAD:
    case GM_OP_STREAM_DESTROY:
    case GM_OP_STREAM_SYNCHRONIZE:
    case GM_OP_EVENT_DESTROY:
    case GM_OP_EVENT_SYNCHRONIZE:
    case GM_OP_EVENT_QUERY:
        return 0;
    case GM_OP_STREAM_QUERY:
        gm_buf_put_str(out, "work pending");
        return 600; /* CUDA_ERROR_NOT_READY */
    case GM_OP_MEM_ALLOC: {
        uint64_t n = (gm_get_u64(r) + 255) & ~255ull;
        if (next_alloc + n > FAKE_BASE + FAKE_MEMORY) {
            gm_buf_put_str(out, "fake memory exhausted");
            return 2;
        }
        gm_buf_put_u64(out, next_alloc);
        next_alloc += n;
        return 0;
    }
    case GM_OP_MEM_GET_INFO:
        gm_buf_put_u64(out, FAKE_BASE + FAKE_MEMORY - next_alloc);
        gm_buf_put_u64(out, FAKE_MEMORY);
        return 0;
    case GM_OP_MEMCPY_HTOD: {
        uint64_t dst = gm_get_u64(r);
        (void)gm_get_u64(r);
        size_t n = gm_reader_remaining(r);
        fake_stats.htod_frames++;
        if (n > fake_stats.htod_largest)
            fake_stats.htod_largest = n;
        uint8_t *p = at(dst, n);
        if (p == NULL)
            fail_async(1);
        else
            gm_get_bytes(r, p, n);
        return 0;
    }
    case GM_OP_MEMCPY_DTOH: {
        uint64_t src = gm_get_u64(r), n = gm_get_u64(r);
        uint8_t *p = at(src, n);
        if (p == NULL) {
            gm_buf_put_str(out, "copy outside the fake memory");
            return 1;
        }
        if (deferred != 0)
            return 0; /* the caller turns this into the deferred error */
        /* Large replies go straight out, without building them in out. */
        struct gm_buf f;
        gm_buf_init(&f);
        gm_frame_put_header(&f, GM_OP_REPLY, 0, seq, 4 + n);
        gm_buf_put_i32(&f, 0);
        send(fd, f.data, f.len, MSG_NOSIGNAL);
        send(fd, p, n, MSG_NOSIGNAL);
        gm_buf_free(&f);
        *replied = 1;
        return 0;
    }
    case GM_OP_SHM_ATTACH: {
        uint64_t n = gm_get_u64(r);
        char path[128];
        gm_get_str(r, path, sizeof path);
        int shm_fd = shm_base ? -1 : open(path, O_RDWR | O_NOFOLLOW);
        void *base = shm_fd < 0 ? MAP_FAILED : mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED, shm_fd, 0);
        if (shm_fd >= 0)
            close(shm_fd);
        if (base == MAP_FAILED) {
            gm_buf_put_str(out, "cannot map the window");
            return 1;
        }
        shm_base = base;
        shm_size = n;
        fake_stats.shm_attached++;
        return 0;
    }
    case GM_OP_MEMCPY_HTOD_SHM:
    case GM_OP_MEMCPY_DTOH_SHM: {
        uint64_t dptr = gm_get_u64(r);
        (void)gm_get_u64(r);
        uint64_t offset = gm_get_u64(r), n = gm_get_u64(r);
        uint8_t *p = at(dptr, n);
        if (forget_after > 0 && fake_stats.shm_htod + fake_stats.shm_dtoh >= (uint64_t)forget_after && shm_base != NULL) {
            munmap(shm_base, shm_size);
            shm_base = NULL;
            forget_after = 0; /* once: the client announces a new window, which stays */
        }
        if (shm_base == NULL) {
            gm_buf_put_str(out, "no shared-memory window");
            return 401; /* CUDA_ERROR_ILLEGAL_STATE */
        }
        if (p == NULL || offset > shm_size || n > shm_size - offset) {
            gm_buf_put_str(out, "copy outside the fake memory or the window");
            return 1;
        }
        if (op == GM_OP_MEMCPY_HTOD_SHM) {
            memcpy(p, shm_base + offset, n);
            fake_stats.shm_htod++;
        } else {
            memcpy(shm_base + offset, p, n);
            fake_stats.shm_dtoh++;
        }
        return 0;
    }
    case GM_OP_MEMSET: {
        uint64_t dst = gm_get_u64(r);
        uint32_t value = gm_get_u32(r), size = gm_get_u32(r);
        uint64_t count = gm_get_u64(r);
        uint8_t *p = at(dst, count * size);
        if (p == NULL || (size != 1 && size != 2 && size != 4)) {
            fail_async(1);
            return 0;
        }
        for (uint64_t i = 0; i < count; i++)
            memcpy(p + i * size, &value, size);
        return 0;
    }
    case GM_OP_MEMCPY_DTOD: {
        uint64_t dst = gm_get_u64(r), src = gm_get_u64(r), n = gm_get_u64(r);
        if (at(dst, n) == NULL || at(src, n) == NULL)
            fail_async(1);
        else
            memmove(at(dst, n), at(src, n), n);
        return 0;
    }
    case GM_OP_MODULE_LOAD:
        fake_stats.module_bytes = gm_reader_remaining(r);
        fake_stats.module_last = fake_stats.module_bytes ? r->p[r->len - 1] : 0;
        gm_buf_put_u64(out, 0x5000);
        return 0;
    case GM_OP_MODULE_GET_FUNCTION: {
        (void)gm_get_u64(r);
        char name[64];
        gm_get_str(r, name, sizeof name);
        if (strcmp(name, "axpy") != 0) {
            gm_buf_put_str(out, "no such kernel");
            return 500; /* CUDA_ERROR_NOT_FOUND */
        }
        gm_buf_put_u64(out, 0x6000);
        gm_buf_put_u32(out, 3);
        uint32_t layout[6] = { 0, 8, 8, 4, 16, 8 };
        for (int i = 0; i < 6; i++)
            gm_buf_put_u32(out, layout[i]);
        return 0;
    }
    case GM_OP_MODULE_GET_GLOBAL:
        gm_buf_put_u64(out, FAKE_BASE + FAKE_MEMORY - 4096);
        gm_buf_put_u64(out, 4096);
        return 0;
    case GM_OP_FUNC_GET_ATTRIBUTE:
        (void)gm_get_u64(r);
        gm_buf_put_i32(out, 1000 + gm_get_i32(r));
        return 0;
    case GM_OP_LAUNCH_KERNEL:
        launch(r);
        return 0;
    case GM_OP_STREAM_CREATE:
    case GM_OP_EVENT_CREATE:
        gm_buf_put_u64(out, ++handle_counter);
        return 0;
    case GM_OP_STREAM_WAIT_EVENT:
    case GM_OP_EVENT_RECORD:
        return 0;
    case GM_OP_ACK: /* a worker that applies calls in order has applied everything up to the ACK itself */
        gm_buf_put_u64(out, seq);
        return 0;
    case GM_OP_EVENT_ELAPSED_TIME: {
        float ms = 1.5f;
        uint32_t bits;
        memcpy(&bits, &ms, 4);
        gm_buf_put_u32(out, bits);
        return 0;
    }
    default:
        fake_stats.unknown_ops++;
        fake_stats.unknown_op = op;
        gm_buf_put_str(out, "not implemented by the fake");
        return 801;
    }
}

int32_t fake_device_call(uint16_t op, uint16_t flags, uint64_t seq, struct gm_reader *r, struct gm_buf *out, int fd)
{
    int replied = 0;
    out->len = 0;
    int32_t status = execute(op, r, out, fd, seq, &replied);
    if ((flags & GM_FLAG_REPLY_WANTED) && !replied) {
        if (gm_op_kind(op) == GM_KIND_SYNC && deferred != 0) {
            status = deferred;
            deferred = 0;
            out->len = 0;
            gm_buf_put_str(out, "deferred error of an earlier asynchronous op");
        }
        fake_reply(fd, seq, status, out);
    }
    return status;
}
