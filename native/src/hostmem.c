/*
 * Host memory: page-locked allocations and registrations are plain memory of this process
 * (the worker's GPU cannot reach it anyway); this file only keeps the bookkeeping CUDA's
 * calls report on (flags, registered or not). Thread-safe (one lock).
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "gm.h"

struct host_range {
    uint8_t *base;
    size_t size;
    unsigned int flags;
    int allocated; /* 1: cuMemAllocHost/cuMemHostAlloc, 0: cuMemHostRegister */
    struct host_range *next;
};

static pthread_mutex_t host_lock = PTHREAD_MUTEX_INITIALIZER;
static struct host_range *ranges;

/* The range containing p, or NULL. Called with host_lock held. */
static struct host_range *find(const void *p, struct host_range ***link)
{
    struct host_range **at = &ranges;
    for (; *at != NULL; at = &(*at)->next) {
        const uint8_t *b = (*at)->base;
        if ((const uint8_t *)p >= b && (const uint8_t *)p < b + (*at)->size) {
            if (link)
                *link = at;
            return *at;
        }
    }
    return NULL;
}

static CUresult add(void *base, size_t size, unsigned int flags, int allocated)
{
    struct host_range *r = malloc(sizeof *r);
    if (r == NULL)
        return CUDA_ERROR_OUT_OF_MEMORY;
    *r = (struct host_range){ base, size, flags, allocated, NULL };
    pthread_mutex_lock(&host_lock);
    r->next = ranges;
    ranges = r;
    pthread_mutex_unlock(&host_lock);
    return CUDA_SUCCESS;
}

CUresult cuMemHostAlloc(void **pp, size_t bytesize, unsigned int Flags)
{
    if (pp == NULL || bytesize == 0)
        return CUDA_ERROR_INVALID_VALUE;
    if (Flags & ~(unsigned int)(CU_MEMHOSTALLOC_PORTABLE | CU_MEMHOSTALLOC_DEVICEMAP | CU_MEMHOSTALLOC_WRITECOMBINED))
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_require_context();
    if (rc != CUDA_SUCCESS)
        return rc;
    long page = sysconf(_SC_PAGESIZE);
    void *p = NULL;
    if (posix_memalign(&p, page > 0 ? (size_t)page : 4096, bytesize) != 0)
        return CUDA_ERROR_OUT_OF_MEMORY;
    rc = add(p, bytesize, Flags, 1);
    if (rc != CUDA_SUCCESS) {
        free(p);
        return rc;
    }
    *pp = p;
    return CUDA_SUCCESS;
}

CUresult cuMemAllocHost_v2(void **pp, size_t bytesize)
{
    return cuMemHostAlloc(pp, bytesize, 0);
}

CUresult cuMemAllocHost(void **pp, unsigned int bytesize)
{
    return cuMemHostAlloc(pp, bytesize, 0);
}

CUresult cuMemFreeHost(void *p)
{
    CUresult rc = gm_require_init();
    if (rc != CUDA_SUCCESS)
        return rc;
    struct host_range **link = NULL, *r;
    pthread_mutex_lock(&host_lock);
    r = find(p, &link);
    if (r == NULL || !r->allocated || r->base != p) {
        pthread_mutex_unlock(&host_lock);
        return CUDA_ERROR_INVALID_VALUE;
    }
    *link = r->next;
    pthread_mutex_unlock(&host_lock);
    free(r->base);
    free(r);
    return CUDA_SUCCESS;
}

CUresult cuMemHostRegister_v2(void *p, size_t bytesize, unsigned int Flags)
{
    if (p == NULL || bytesize == 0 || (Flags & ~0xFu))
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_require_context();
    if (rc != CUDA_SUCCESS)
        return rc;
    int overlaps = 0;
    pthread_mutex_lock(&host_lock);
    for (struct host_range *r = ranges; r != NULL && !overlaps; r = r->next)
        overlaps = (uint8_t *)p < r->base + r->size && (uint8_t *)p + bytesize > r->base;
    pthread_mutex_unlock(&host_lock);
    if (overlaps)
        return CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED;
    return add(p, bytesize, Flags, 0);
}
GM_ALIAS(cuMemHostRegister, cuMemHostRegister_v2);

CUresult cuMemHostUnregister(void *p)
{
    CUresult rc = gm_require_context();
    if (rc != CUDA_SUCCESS)
        return rc;
    struct host_range **link = NULL, *r;
    pthread_mutex_lock(&host_lock);
    r = find(p, &link);
    if (r == NULL || r->allocated || r->base != p) {
        pthread_mutex_unlock(&host_lock);
        return CUDA_ERROR_HOST_MEMORY_NOT_REGISTERED;
    }
    *link = r->next;
    pthread_mutex_unlock(&host_lock);
    free(r);
    return CUDA_SUCCESS;
}

CUresult cuMemHostGetFlags(unsigned int *pFlags, void *p)
{
    if (pFlags == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_require_context();
    if (rc != CUDA_SUCCESS)
        return rc;
    pthread_mutex_lock(&host_lock);
    struct host_range *r = find(p, NULL);
    if (r != NULL)
        *pFlags = r->flags;
    pthread_mutex_unlock(&host_lock);
    return r != NULL ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}
