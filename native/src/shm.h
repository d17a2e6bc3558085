/*
 * The same-host data path: copies of at least GM_SHM_MIN_COPY bytes go through a mapping
 * shared with the worker (two slots) instead of the socket, while helper threads fill or
 * drain one slot as the worker copies the other (docs/wire-protocol.md, "Shared memory").
 * Set up on the first large copy; GPUMIGRATE_SHM=0 turns it off, =1 tries it even when the
 * agent's address is not a loopback address; GPUMIGRATE_SHM_THREADS sets the helpers (1-16).
 *
 * Thread-safe: one copy uses the mapping at a time; others wait for it.
 */
#ifndef GM_SHM_H
#define GM_SHM_H

#include <stddef.h>
#include <stdint.h>

#include "cuda.h"

#define GM_SHM_MIN_COPY (256u * 1024)

/**
 * Copies n bytes host-to-device through the mapping. Returns 1 when it made the copy (its
 * result in *rc), 0 when the caller must use the socket (path off, unavailable, n small, or
 * the worker no longer maps the window: a session that moved announces a new one later).
 */
int gm_shm_htod(CUdeviceptr dst, const void *src, size_t n, uint64_t stream, CUresult *rc);

/** Device-to-host, as gm_shm_htod. */
int gm_shm_dtoh(void *dst, CUdeviceptr src, size_t n, uint64_t stream, CUresult *rc);

#endif
