/*
 * Logging for the client library: every line goes to stderr with the prefix "gpumigrate: ".
 * GPUMIGRATE_LOG=info adds info lines (one per migration the session went through);
 * GPUMIGRATE_LOG=debug adds those and debug lines (error replies of the worker, connection
 * steps). Thread-safe (one fprintf per line).
 */
#ifndef GM_LOG_H
#define GM_LOG_H

#define GM_LOG_PREFIX "gpumigrate: "

/** Prints one line, always. */
void gm_log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** Prints one line when GPUMIGRATE_LOG is info or debug. */
void gm_log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** Prints one line when GPUMIGRATE_LOG=debug. */
void gm_log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** Whether GPUMIGRATE_LOG=debug is set (read once). */
int gm_log_debug_enabled(void);

#endif
