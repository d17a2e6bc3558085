/*
 * Helper threads for large memcpys: a copy is cut into one part per thread and runs while
 * the caller does something else (waits for the worker). One copy at a time: the caller
 * (shm.c, under its lock) starts a copy and waits for it before starting the next.
 */
#ifndef GM_SHM_COPIER_H
#define GM_SHM_COPIER_H

#include <stddef.h>

/** Starts copying n bytes from src to dst on the helper threads (or copies at once if there are none). */
void gm_copier_start(void *dst, const void *src, size_t n);

/** Waits until the copy started last has finished. */
void gm_copier_wait(void);

/** How many helper threads copy (0 when none could be started); starts them on first use. */
int gm_copier_threads(void);

#endif
