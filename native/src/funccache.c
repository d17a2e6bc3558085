/* Per-function parameter layouts in an open-addressing hash table; see funccache.h. */
#include "funccache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct entry {
    uint64_t function; /* 0: empty slot (the worker never hands out handle 0) */
    uint64_t module;
    uint32_t count;
    uint32_t buffer_size;
    struct gm_param *params;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry *slots;
static size_t slot_count, used;

static size_t slot_of(uint64_t function, size_t count)
{
    uint64_t h = function * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 17) & (count - 1);
}

/* The slot holding function, or the empty slot where it belongs. Called with the lock held. */
static struct entry *probe(struct entry *table, size_t count, uint64_t function)
{
    size_t i = slot_of(function, count);
    while (table[i].function != 0 && table[i].function != function)
        i = (i + 1) & (count - 1);
    return &table[i];
}

static struct entry *lookup(uint64_t function)
{
    if (slot_count == 0 || function == 0)
        return NULL;
    struct entry *e = probe(slots, slot_count, function);
    return e->function == function ? e : NULL;
}

/* Rebuilds the table with new_count slots, leaving out entries of module drop (0: none). */
static int rebuild(size_t new_count, uint64_t drop)
{
    struct entry *table = calloc(new_count, sizeof *table);
    if (table == NULL)
        return -1;
    used = 0;
    for (size_t i = 0; i < slot_count; i++) {
        if (slots[i].function == 0)
            continue;
        if (drop != 0 && slots[i].module == drop) {
            free(slots[i].params);
            continue;
        }
        *probe(table, new_count, slots[i].function) = slots[i];
        used++;
    }
    free(slots);
    slots = table;
    slot_count = new_count;
    return 0;
}

CUresult gm_funccache_put(uint64_t function, uint64_t module, uint32_t count, const struct gm_param *params)
{
    struct gm_param *copy = NULL;
    uint32_t buffer_size = 0;
    if (count > 0) {
        copy = malloc(count * sizeof *copy);
        if (copy == NULL)
            return CUDA_ERROR_OUT_OF_MEMORY;
        memcpy(copy, params, count * sizeof *copy);
    }
    for (uint32_t i = 0; i < count; i++)
        if (params[i].offset + params[i].size > buffer_size)
            buffer_size = params[i].offset + params[i].size;
    CUresult rc = CUDA_SUCCESS;
    pthread_mutex_lock(&cache_lock);
    if ((used + 1) * 2 > slot_count && rebuild(slot_count ? slot_count * 2 : 64, 0) != 0) {
        rc = CUDA_ERROR_OUT_OF_MEMORY;
        free(copy);
        goto out;
    }
    struct entry *e = probe(slots, slot_count, function);
    if (e->function == 0)
        used++;
    else
        free(e->params);
    *e = (struct entry){ function, module, count, buffer_size, copy };
out:
    pthread_mutex_unlock(&cache_lock);
    return rc;
}

CUresult gm_funccache_pack(uint64_t function, void **kernelParams, struct gm_buf *out)
{
    CUresult rc = CUDA_SUCCESS;
    pthread_mutex_lock(&cache_lock);
    struct entry *e = lookup(function);
    if (e == NULL) {
        rc = CUDA_ERROR_INVALID_HANDLE;
        goto out;
    }
    if (e->count > 0 && kernelParams == NULL) {
        rc = CUDA_ERROR_INVALID_VALUE;
        goto out;
    }
    gm_buf_put_u32(out, e->buffer_size);
    if (gm_buf_reserve(out, e->buffer_size) != 0) {
        rc = CUDA_ERROR_OUT_OF_MEMORY;
        goto out;
    }
    uint8_t *base = out->data + out->len;
    memset(base, 0, e->buffer_size);
    for (uint32_t i = 0; i < e->count; i++) {
        if (kernelParams[i] == NULL) {
            rc = CUDA_ERROR_INVALID_VALUE;
            goto out;
        }
        memcpy(base + e->params[i].offset, kernelParams[i], e->params[i].size);
    }
    out->len += e->buffer_size;
out:
    pthread_mutex_unlock(&cache_lock);
    return rc;
}

int gm_funccache_param(uint64_t function, size_t index, size_t *offset, size_t *size)
{
    int found = -1;
    pthread_mutex_lock(&cache_lock);
    struct entry *e = lookup(function);
    if (e != NULL && index < e->count) {
        *offset = e->params[index].offset;
        *size = e->params[index].size;
        found = 0;
    }
    pthread_mutex_unlock(&cache_lock);
    return found;
}

int gm_funccache_module(uint64_t function, uint64_t *module)
{
    int found = -1;
    pthread_mutex_lock(&cache_lock);
    struct entry *e = lookup(function);
    if (e != NULL) {
        *module = e->module;
        found = 0;
    }
    pthread_mutex_unlock(&cache_lock);
    return found;
}

void gm_funccache_drop_module(uint64_t module)
{
    pthread_mutex_lock(&cache_lock);
    if (slot_count > 0)
        rebuild(slot_count, module); /* on failure the entries stay: harmless, only memory */
    pthread_mutex_unlock(&cache_lock);
}
