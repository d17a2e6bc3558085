/* Logging through one prefix; see log.h. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int debug_level = -1; /* -1: not read yet; racing threads all compute the same value */

int gm_log_debug_enabled(void)
{
    int level = __atomic_load_n(&debug_level, __ATOMIC_RELAXED);
    if (level < 0) {
        const char *value = getenv("GPUMIGRATE_LOG");
        level = value != NULL && strcmp(value, "debug") == 0;
        __atomic_store_n(&debug_level, level, __ATOMIC_RELAXED);
    }
    return level;
}

static void log_line(const char *fmt, va_list args)
{
    char line[1024];
    vsnprintf(line, sizeof line, fmt, args);
    fprintf(stderr, GM_LOG_PREFIX "%s\n", line);
}

void gm_log_error(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    log_line(fmt, args);
    va_end(args);
}

void gm_log_debug(const char *fmt, ...)
{
    if (!gm_log_debug_enabled())
        return;
    va_list args;
    va_start(args, fmt);
    log_line(fmt, args);
    va_end(args);
}
