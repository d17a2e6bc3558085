/* The same-host data path: the shared mapping and the copy pipeline; see shm.h. */
#include "shm.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "gm.h"
#include "log.h"
#include "session.h"
#include "shm_copier.h"

#define SLOT_BYTES (8u << 20)
#define SLOTS 2

enum { UNTRIED, READY, OFF };

static struct {
    pthread_mutex_t lock; /* held for a whole copy */
    int state;
    pid_t owner;          /* a forked child leaves the path alone */
    uint8_t *base;
} shm = { .lock = PTHREAD_MUTEX_INITIALIZER, .state = UNTRIED };

static int is_loopback(const char *host)
{
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *list = NULL;
    if (getaddrinfo(host, NULL, &hints, &list) != 0)
        return 0;
    int loopback = list != NULL;
    for (struct addrinfo *a = list; a; a = a->ai_next) {
        if (a->ai_family == AF_INET) {
            uint32_t ip = ntohl(((struct sockaddr_in *)a->ai_addr)->sin_addr.s_addr);
            loopback &= (ip >> 24) == 127;
        } else if (a->ai_family == AF_INET6) {
            const struct in6_addr *ip = &((struct sockaddr_in6 *)a->ai_addr)->sin6_addr;
            loopback &= IN6_IS_ADDR_LOOPBACK(ip) || (IN6_IS_ADDR_V4MAPPED(ip) && ip->s6_addr[12] == 127);
        } else {
            loopback = 0;
        }
    }
    freeaddrinfo(list);
    return loopback;
}

/* Whether to try the path: GPUMIGRATE_SHM decides, else whether the agent is on this host. */
static int wanted(void)
{
    const char *value = getenv("GPUMIGRATE_SHM");
    if (value && strcmp(value, "0") == 0)
        return 0;
    if (value && strcmp(value, "1") == 0)
        return 1;
    const char *agent = getenv("GPUMIGRATE_AGENT");
    char host[256], err[128];
    uint16_t port;
    if (gm_parse_address(agent && *agent ? agent : GM_DEFAULT_AGENT, host, sizeof host, &port, err, sizeof err) != 0)
        return 0;
    return is_loopback(host);
}

/* Creates, maps and announces the window; on any failure the path stays off. */
static void open_window(void)
{
    shm.state = OFF;
    if (!wanted())
        return;
    size_t bytes = (size_t)SLOTS * SLOT_BYTES;
    char path[96];
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    snprintf(path, sizeof path, "/dev/shm/gpumigrate-%d-%lx", (int)getpid(),
             (unsigned long)(ts.tv_nsec ^ (ts.tv_sec << 20) ^ (uintptr_t)&ts));
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        gm_log_debug("shared memory off: cannot create %s: %s", path, strerror(errno));
        return;
    }
    void *base = MAP_FAILED;
    int err = posix_fallocate(fd, 0, (off_t)bytes); /* ENOSPC now rather than SIGBUS later */
    if (err == 0)
        base = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    else
        errno = err;
    close(fd);
    if (base == MAP_FAILED) {
        gm_log_debug("shared memory off: cannot size or map %s: %s", path, strerror(errno));
        unlink(path);
        return;
    }
    struct gm_buf body;
    gm_buf_init(&body);
    gm_buf_put_u64(&body, bytes);
    gm_buf_put_str(&body, path);
    CUresult rc = gm_call_simple(GM_OP_SHM_ATTACH, &body);
    gm_buf_free(&body);
    unlink(path); /* both sides have it mapped (or the worker never will) */
    if (rc != CUDA_SUCCESS) {
        gm_log_debug("shared memory off: the worker did not map %s: %s", path, gm_error_name(rc));
        munmap(base, bytes);
        return;
    }
    shm.base = base;
    shm.owner = getpid();
    shm.state = READY;
    gm_log_debug("shared memory on: %u x %u MiB slots, %d copy threads", SLOTS, SLOT_BYTES >> 20,
                 gm_copier_threads());
}

/* Locks the path for one copy; returns 0 (unlocked) when the copy must use the socket. */
static int acquire(size_t n)
{
    if (n < GM_SHM_MIN_COPY || shm.state == OFF || (shm.state == READY && shm.owner != getpid()))
        return 0;
    pthread_mutex_lock(&shm.lock);
    if (shm.state == UNTRIED)
        open_window();
    if (shm.state != READY) {
        pthread_mutex_unlock(&shm.lock);
        return 0;
    }
    return 1;
}

/*
 * After a copy: CUDA_ERROR_ILLEGAL_STATE means the worker maps no window (the session moved
 * to another worker): forget ours, so the next large copy announces a new one there, and
 * make this copy again over the socket (copies are idempotent). Returns whether the copy was
 * made here; unlocks the path.
 */
static int release(CUresult rc)
{
    int moved = rc == CUDA_ERROR_ILLEGAL_STATE;
    if (moved) {
        gm_log_debug("the worker has no shared-memory window (moved?): copying over the socket");
        munmap(shm.base, (size_t)SLOTS * SLOT_BYTES);
        shm.base = NULL;
        shm.state = UNTRIED;
    }
    pthread_mutex_unlock(&shm.lock);
    return !moved;
}

static uint8_t *slot(size_t chunk) { return shm.base + (chunk % SLOTS) * SLOT_BYTES; }
static size_t slot_offset(size_t chunk) { return (chunk % SLOTS) * SLOT_BYTES; }
static size_t chunk_len(size_t n, size_t chunk)
{
    size_t left = n - chunk * SLOT_BYTES;
    return left < SLOT_BYTES ? left : SLOT_BYTES;
}

static CUresult copy_call(uint16_t op, CUdeviceptr dptr, uint64_t stream, size_t chunk, size_t len)
{
    struct gm_buf body;
    gm_buf_init(&body);
    gm_buf_put_u64(&body, dptr);
    gm_buf_put_u64(&body, stream);
    gm_buf_put_u64(&body, slot_offset(chunk));
    gm_buf_put_u64(&body, len);
    CUresult rc = gm_call_simple(op, &body);
    gm_buf_free(&body);
    return rc;
}

/* Fill slot i+1 while the worker reads slot i. */
int gm_shm_htod(CUdeviceptr dst, const void *src, size_t n, uint64_t stream, CUresult *rc)
{
    if (!acquire(n))
        return 0;
    const uint8_t *from = src;
    size_t chunks = (n + SLOT_BYTES - 1) / SLOT_BYTES;
    gm_copier_start(slot(0), from, chunk_len(n, 0));
    gm_copier_wait();
    *rc = CUDA_SUCCESS;
    for (size_t i = 0; i < chunks && *rc == CUDA_SUCCESS; i++) {
        int more = i + 1 < chunks;
        if (more)
            gm_copier_start(slot(i + 1), from + (i + 1) * SLOT_BYTES, chunk_len(n, i + 1));
        *rc = copy_call(GM_OP_MEMCPY_HTOD_SHM, dst + i * SLOT_BYTES, stream, i, chunk_len(n, i));
        if (more)
            gm_copier_wait();
    }
    if (release(*rc))
        return 1;
    *rc = CUDA_SUCCESS;
    return 0;
}

/* Drain slot i while the worker fills slot i+1. */
int gm_shm_dtoh(void *dst, CUdeviceptr src, size_t n, uint64_t stream, CUresult *rc)
{
    if (!acquire(n))
        return 0;
    uint8_t *to = dst;
    size_t chunks = (n + SLOT_BYTES - 1) / SLOT_BYTES;
    *rc = copy_call(GM_OP_MEMCPY_DTOH_SHM, src, stream, 0, chunk_len(n, 0));
    for (size_t i = 0; i < chunks && *rc == CUDA_SUCCESS; i++) {
        gm_copier_start(to + i * SLOT_BYTES, slot(i), chunk_len(n, i));
        if (i + 1 < chunks)
            *rc = copy_call(GM_OP_MEMCPY_DTOH_SHM, src + (i + 1) * SLOT_BYTES, stream, i + 1, chunk_len(n, i + 1));
        gm_copier_wait();
    }
    if (release(*rc))
        return 1;
    *rc = CUDA_SUCCESS;
    return 0;
}
