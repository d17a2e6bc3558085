/* Logging through one prefix; see log.h. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int debug_level = -1; /* -1: not read yet; benign race, every reader computes the same */

int gm_log_debug_enabled(void)
{
    if (debug_level < 0) {
        const char *level = getenv("GPUMIGRATE_LOG");
        debug_level = level != NULL && strcmp(level, "debug") == 0;
    }
    return debug_level;
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
