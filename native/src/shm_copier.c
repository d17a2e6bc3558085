/* Helper threads for large memcpys; see shm_copier.h. */
#include "shm_copier.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

#define MAX_THREADS 16
#define DEFAULT_MAX_THREADS 4
#define PART_ALIGN 4096u

static struct {
    pthread_mutex_t lock;
    pthread_cond_t work, done;
    int threads;
    uint8_t *dst;
    const uint8_t *src;
    size_t n, part;
    int parts_left;   /* parts no thread has taken yet */
    int unfinished;   /* parts not yet copied */
} pool = { .lock = PTHREAD_MUTEX_INITIALIZER, .work = PTHREAD_COND_INITIALIZER, .done = PTHREAD_COND_INITIALIZER };

static void *helper_main(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&pool.lock);
    for (;;) {
        while (pool.parts_left == 0)
            pthread_cond_wait(&pool.work, &pool.lock);
        size_t index = (size_t)(pool.threads - pool.parts_left--);
        size_t from = index * pool.part;
        size_t len = from >= pool.n ? 0 : (pool.n - from < pool.part ? pool.n - from : pool.part);
        uint8_t *dst = pool.dst + from;
        const uint8_t *src = pool.src + from;
        pthread_mutex_unlock(&pool.lock);
        if (len)
            memcpy(dst, src, len);
        pthread_mutex_lock(&pool.lock);
        if (--pool.unfinished == 0)
            pthread_cond_signal(&pool.done);
    }
    return NULL;
}

static int wanted_threads(void)
{
    const char *value = getenv("GPUMIGRATE_SHM_THREADS");
    if (value && *value) {
        int n = atoi(value);
        if (n >= 1 && n <= MAX_THREADS)
            return n;
        gm_log_error("GPUMIGRATE_SHM_THREADS=%s outside [1, %d]; using the default", value, MAX_THREADS);
    }
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    long n = cpus - 1;
    return n < 1 ? 1 : (n > DEFAULT_MAX_THREADS ? DEFAULT_MAX_THREADS : (int)n);
}

static void start_helpers(void)
{
    int wanted = wanted_threads();
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved); /* the program's signals stay on its own threads */
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_mutex_lock(&pool.lock);
    for (int i = 0; i < wanted; i++) {
        pthread_t thread;
        if (pthread_create(&thread, &attr, helper_main, NULL) != 0)
            break;
        pool.threads++;
    }
    pthread_mutex_unlock(&pool.lock);
    pthread_attr_destroy(&attr);
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    if (pool.threads < wanted)
        gm_log_debug("%d of %d copy threads started; the rest of each copy runs on the caller", pool.threads, wanted);
}

int gm_copier_threads(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, start_helpers);
    return pool.threads;
}

void gm_copier_start(void *dst, const void *src, size_t n)
{
    if (gm_copier_threads() == 0 || n < 2 * PART_ALIGN) {
        memcpy(dst, src, n);
        return;
    }
    pthread_mutex_lock(&pool.lock);
    size_t part = (n + (size_t)pool.threads - 1) / (size_t)pool.threads;
    pool.part = (part + PART_ALIGN - 1) / PART_ALIGN * PART_ALIGN;
    pool.dst = dst;
    pool.src = src;
    pool.n = n;
    pool.parts_left = pool.threads;
    pool.unfinished = pool.threads;
    pthread_cond_broadcast(&pool.work);
    pthread_mutex_unlock(&pool.lock);
}

void gm_copier_wait(void)
{
    pthread_mutex_lock(&pool.lock);
    while (pool.unfinished > 0)
        pthread_cond_wait(&pool.done, &pool.lock);
    pthread_mutex_unlock(&pool.lock);
}
