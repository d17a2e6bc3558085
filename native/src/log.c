/* Logging through one prefix; see log.h. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { LEVEL_UNREAD = -1, LEVEL_ERROR, LEVEL_INFO, LEVEL_DEBUG };

static int level = LEVEL_UNREAD; /* racing threads all compute the same value */

static int log_level(void)
{
    int value = __atomic_load_n(&level, __ATOMIC_RELAXED);
    if (value == LEVEL_UNREAD) {
        const char *text = getenv("GPUMIGRATE_LOG");
        value = LEVEL_ERROR;
        if (text != NULL && strcmp(text, "debug") == 0)
            value = LEVEL_DEBUG;
        else if (text != NULL && strcmp(text, "info") == 0)
            value = LEVEL_INFO;
        __atomic_store_n(&level, value, __ATOMIC_RELAXED);
    }
    return value;
}

int gm_log_debug_enabled(void)
{
    return log_level() >= LEVEL_DEBUG;
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

void gm_log_info(const char *fmt, ...)
{
    if (log_level() < LEVEL_INFO)
        return;
    va_list args;
    va_start(args, fmt);
    log_line(fmt, args);
    va_end(args);
}

void gm_log_debug(const char *fmt, ...)
{
    if (log_level() < LEVEL_DEBUG)
        return;
    va_list args;
    va_start(args, fmt);
    log_line(fmt, args);
    va_end(args);
}
