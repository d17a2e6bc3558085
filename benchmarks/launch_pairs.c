/*
 * launch_pairs: a long-lived launch benchmark driven from standard input, so a controller can
 * interleave short bursts on two sessions (replay log on and off) finely and pair them. It
 * sets up a context, loads PTX_FILE and its kernel `tiny` (launched as driver_bench launches
 * it: one block of 256 threads on a 256-float buffer), prints READY, then serves one command
 * a line:
 *   burst N   N asynchronous launches, then cuCtxSynchronize; prints BURST <launches per s>
 *   quit      (or end of input) frees everything, prints PASS, exits 0
 * Every reply is flushed at once. Exit status: 0 after quit or end of input; 1 when a CUDA
 * call fails (the message names the call); 2 for a bad command line or command.
 * Usage: launch_pairs PTX_FILE
 */
#define BENCH_NAME "launch_pairs"
#include "bench_common.h"
#include <errno.h>
#include <string.h>

#define MAX_BURST 1000000000L

/* Parses the count of "burst N"; returns -1 unless it is a whole number in 1..MAX_BURST. */
static long burst_count(const char *text) {
    char *end;
    errno = 0;
    long n = strtol(text, &end, 10);
    while (*end == ' ' || *end == '\t') end++;
    if (errno != 0 || end == text || *end != '\0' || n < 1 || n > MAX_BURST) return -1;
    return n;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: launch_pairs PTX_FILE\n");
        return 2;
    }
    tiny_test t;
    tiny_open(argv[1], &t);
    printf("READY\n");
    fflush(stdout);

    char line[256];
    while (fgets(line, sizeof line, stdin)) {
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n') {
            fprintf(stderr, "launch_pairs: command longer than %zu characters\n", sizeof line - 2);
            return 2;
        }
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (strcmp(line, "quit") == 0) break;
        if (strncmp(line, "burst ", 6) != 0) {
            fprintf(stderr, "launch_pairs: unknown command '%s'; expected 'burst N' or 'quit'\n", line);
            return 2;
        }
        long count = burst_count(line + 6);
        if (count < 0) {
            fprintf(stderr, "launch_pairs: bad burst size '%s'; expected a whole number in 1..%ld\n",
                    line + 6, MAX_BURST);
            return 2;
        }
        double t0 = bench_now();
        for (long i = 0; i < count; i++) CHECK(tiny_launch(&t));
        CHECK(cuCtxSynchronize());
        double seconds = bench_now() - t0;
        printf("BURST %.6e\n", count / seconds);
        fflush(stdout);
    }
    tiny_close(&t);
    printf("PASS\n");
    fflush(stdout);
    return 0;
}
