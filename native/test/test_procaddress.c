/*
 * Compares the library's cuGetProcAddress_v2 with the answers NVIDIA's driver 580 gave
 * (test/data/procaddress-580.txt): same return code, same symbolStatus, and a function
 * exported under one of the names the driver's answer had.
 * Usage: test_procaddress LIBRARY DATA
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

typedef int (*proc_fn)(const char *, void **, int, unsigned long long, int *);

static const int versions[] = { 2000, 3000, 3020, 4000, 6050, 7000, 10000, 11000, 11030, 11040, 12000, 12050, 12080, 13000 };
#define VERSION_COUNT (sizeof versions / sizeof versions[0])

struct answer {
    char api[64];
    int flags, from, rc, status;
    char names[256];
};

/* Whether p is exported by lib under one of the space-separated names ("-": p must be NULL). */
static int matches(void *lib, void *p, const char *names)
{
    if (strcmp(names, "-") == 0)
        return p == NULL;
    char copy[256];
    snprintf(copy, sizeof copy, "%s", names);
    for (char *save, *name = strtok_r(copy, " ", &save); name; name = strtok_r(NULL, " ", &save))
        if (p != NULL && dlsym(lib, name) == p)
            return 1;
    return 0;
}

static int read_answer(FILE *f, struct answer *a)
{
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        int used = 0;
        if (sscanf(line, "%63s %d %d %d %d %n", a->api, &a->flags, &a->from, &a->rc, &a->status, &used) != 5)
            continue;
        snprintf(a->names, sizeof a->names, "%s", line + used);
        a->names[strcspn(a->names, "\n")] = '\0';
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s LIBRARY DATA\n", argv[0]);
        return 2;
    }
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    FILE *f = fopen(argv[2], "r");
    if (lib == NULL || f == NULL) {
        fprintf(stderr, "cannot open %s or %s\n", argv[1], argv[2]);
        return 1;
    }
    proc_fn get = (proc_fn)dlsym(lib, "cuGetProcAddress_v2");
    struct answer cur, next;
    int have_next = read_answer(f, &next), compared = 0;
    while (have_next) {
        cur = next;
        have_next = read_answer(f, &next);
        int last = !have_next || strcmp(next.api, cur.api) != 0 || next.flags != cur.flags;
        for (size_t v = 0; v < VERSION_COUNT; v++) {
            if (versions[v] < cur.from || (!last && versions[v] >= next.from))
                continue;
            void *p = (void *)1;
            int status = -1;
            int rc = get(cur.api, &p, versions[v], (unsigned long long)cur.flags, &status);
            compared++;
            CHECK(rc == cur.rc && status == cur.status && matches(lib, p, cur.names),
                  "%s at %d flags %d: got rc %d status %d, driver 580 answered rc %d status %d %s", cur.api,
                  versions[v], cur.flags, rc, status, cur.rc, cur.status, cur.names);
        }
    }
    fclose(f);
    CHECK(compared == 14336, "compared %d answers, the recording has 14336", compared);
    return check_result("test_procaddress");
}
