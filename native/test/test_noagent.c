/*
 * Loads the built library the way a program does and checks what needs no agent: cuInit
 * failing with CUDA_ERROR_NO_DEVICE and one clear line when nothing listens, stubs answering
 * CUDA_ERROR_NOT_SUPPORTED and logging once, error names, cuGetProcAddress, the marker.
 * Usage: test_noagent LIBRARY
 */
#include <dlfcn.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "cuda.h"

static void *lib;

static void *sym(const char *name)
{
    void *p = dlsym(lib, name);
    CHECK(p != NULL, "%s is not exported", name);
    return p;
}

/* A loopback port nothing listens on: bound (so no one else takes it) but never listening. */
static int closed_port(int *fd_out)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    bind(fd, (struct sockaddr *)&a, sizeof a);
    getsockname(fd, (struct sockaddr *)&a, &len);
    *fd_out = fd;
    return ntohs(a.sin_port);
}

/* Runs with stderr captured into a file; returns what was written. */
static char captured[8192];
static int saved_stderr = -1;
static FILE *capture_file;

static void capture_start(void)
{
    fflush(stderr);
    capture_file = tmpfile();
    saved_stderr = dup(2);
    dup2(fileno(capture_file), 2);
}

static const char *capture_end(void)
{
    fflush(stderr);
    dup2(saved_stderr, 2);
    close(saved_stderr);
    rewind(capture_file);
    size_t n = fread(captured, 1, sizeof captured - 1, capture_file);
    captured[n] = '\0';
    fclose(capture_file);
    return captured;
}

static int count_of(const char *haystack, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(haystack, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void test_before_init(void)
{
    CUresult (*get_count)(int *) = sym("cuDeviceGetCount");
    CUresult (*driver_version)(int *) = sym("cuDriverGetVersion");
    CUresult (*mem_alloc)(CUdeviceptr *, size_t) = sym("cuMemAlloc_v2");
    int count = -1, version = 0;
    CUdeviceptr p;
    CHECK_EQ(get_count(&count), CUDA_ERROR_NOT_INITIALIZED);
    CHECK_EQ(mem_alloc(&p, 16), CUDA_ERROR_NOT_INITIALIZED);
    CHECK_EQ(driver_version(&version), CUDA_SUCCESS);
    CHECK_EQ(version, CUDA_VERSION);
}

static void test_init_without_agent(void)
{
    CUresult (*init)(unsigned int) = sym("cuInit");
    int fd;
    int port = closed_port(&fd);
    char address[64];
    snprintf(address, sizeof address, "127.0.0.1:%d", port);
    setenv("GPUMIGRATE_AGENT", address, 1);
    CHECK_EQ(init(1), CUDA_ERROR_INVALID_VALUE);
    capture_start();
    CUresult first = init(0);
    CUresult second = init(0);
    const char *err = capture_end();
    CHECK_EQ(first, CUDA_ERROR_NO_DEVICE);
    CHECK_EQ(second, CUDA_ERROR_NO_DEVICE);
    CHECK(strncmp(err, "gpumigrate: ", 12) == 0 && strstr(err, address) != NULL,
          "stderr should name %s: '%s'", address, err);
    CHECK_EQ(count_of(err, "\n"), 1);
    close(fd);
}

static void test_stubs(void)
{
    CUresult (*array_create)(void) = sym("cuArrayCreate_v2");
    CUresult (*graph_create)(void) = sym("cuGraphCreate");
    capture_start();
    CUresult a = array_create(), b = array_create(), c = graph_create();
    const char *err = capture_end();
    CHECK_EQ(a, CUDA_ERROR_NOT_SUPPORTED);
    CHECK_EQ(b, CUDA_ERROR_NOT_SUPPORTED);
    CHECK_EQ(c, CUDA_ERROR_NOT_SUPPORTED);
    CHECK_EQ(count_of(err, "gpumigrate: cuArrayCreate_v2"), 1);
    CHECK_EQ(count_of(err, "gpumigrate: cuGraphCreate"), 1);
}

static void test_error_names(void)
{
    CUresult (*name)(CUresult, const char **) = sym("cuGetErrorName");
    CUresult (*text)(CUresult, const char **) = sym("cuGetErrorString");
    const char *s = NULL;
    CHECK_EQ(name(CUDA_ERROR_NOT_SUPPORTED, &s), CUDA_SUCCESS);
    CHECK(s && strcmp(s, "CUDA_ERROR_NOT_SUPPORTED") == 0, "name %s", s ? s : "(null)");
    CHECK_EQ(name(CUDA_ERROR_ILLEGAL_ADDRESS, &s), CUDA_SUCCESS);
    CHECK(s && strcmp(s, "CUDA_ERROR_ILLEGAL_ADDRESS") == 0, "name %s", s ? s : "(null)");
    CHECK_EQ(text(CUDA_ERROR_OUT_OF_MEMORY, &s), CUDA_SUCCESS);
    CHECK(s && strlen(s) > 0, "empty description");
    CHECK_EQ(name((CUresult)12345, &s), CUDA_ERROR_INVALID_VALUE);
    CHECK(s == NULL, "unknown code should give NULL");
}

static void test_proc_address(void)
{
    CUresult (*get)(const char *, void **, int, cuuint64_t, CUdriverProcAddressQueryResult *) =
        sym("cuGetProcAddress_v2");
    CUresult (*get_v1)(const char *, void **, int, cuuint64_t) = sym("cuGetProcAddress");
    void *fn = NULL;
    CUdriverProcAddressQueryResult status = -1;
    CHECK_EQ(get("cuMemAlloc", &fn, 13000, 0, &status), CUDA_SUCCESS);
    CHECK(fn == sym("cuMemAlloc_v2") && status == CU_GET_PROC_ADDRESS_SUCCESS, "cuMemAlloc @13000");
    CHECK_EQ(get("cuMemAlloc", &fn, 2000, 0, &status), CUDA_SUCCESS);
    CHECK(fn == sym("cuMemAlloc"), "cuMemAlloc @2000 should be the 32-bit legacy symbol");
    CHECK_EQ(get("cuCtxCreate", &fn, 12000, 0, &status), CUDA_SUCCESS);
    CHECK(fn == sym("cuCtxCreate_v3"), "cuCtxCreate @12000 should be _v3");
    CHECK_EQ(get("cuCtxCreate", &fn, 13000, 0, &status), CUDA_SUCCESS);
    CHECK(fn == sym("cuCtxCreate_v4"), "cuCtxCreate @13000 should be _v4");
    CHECK_EQ(get("cuMemcpyHtoD", &fn, 13000, CU_GET_PROC_ADDRESS_PER_THREAD_DEFAULT_STREAM, &status), 0);
    CHECK(fn == sym("cuMemcpyHtoD_v2_ptds"), "per-thread cuMemcpyHtoD");
    CHECK_EQ(get("cuLaunchKernel", &fn, 13000, CU_GET_PROC_ADDRESS_PER_THREAD_DEFAULT_STREAM, &status), 0);
    CHECK(fn == sym("cuLaunchKernel_ptsz"), "per-thread cuLaunchKernel");
    CHECK_EQ(get("cuLaunchKernel", &fn, 13000, CU_GET_PROC_ADDRESS_LEGACY_STREAM, &status), 0);
    CHECK(fn == sym("cuLaunchKernel"), "legacy cuLaunchKernel");
    /* As driver 580 answers: _v2 reports a miss in symbolStatus, the original form as NOT_FOUND. */
    CHECK_EQ(get("cuNoSuchFunction", &fn, 13000, 0, &status), CUDA_SUCCESS);
    CHECK(fn == NULL && status == CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND, "unknown name status %d", status);
    CHECK_EQ(get("cuMemAlloc_v2", &fn, 13000, 0, &status), CUDA_SUCCESS);
    CHECK(fn == NULL && status == CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND, "versioned names are not API names");
    CHECK_EQ(get("cuCtxCreate", &fn, 1000, 0, &status), CUDA_SUCCESS);
    CHECK(fn == NULL && status == CU_GET_PROC_ADDRESS_VERSION_NOT_SUFFICIENT, "status %d", status);
    CHECK_EQ(get("cuMemcpyHtoDAsync", &fn, 6050, CU_GET_PROC_ADDRESS_PER_THREAD_DEFAULT_STREAM, &status), 0);
    CHECK(fn == NULL && status == CU_GET_PROC_ADDRESS_VERSION_NOT_SUFFICIENT, "per-thread before 7.0: %d", status);
    CHECK_EQ(get("cuInit", &fn, 13000, 4, &status), CUDA_ERROR_INVALID_VALUE);
    CHECK_EQ(get_v1("cuInit", &fn, 13000, 0), CUDA_SUCCESS);
    CHECK(fn == sym("cuInit"), "cuGetProcAddress (v1) cuInit");
    fn = (void *)&status;
    CHECK_EQ(get_v1("cuNoSuchFunction", &fn, 13000, 0), CUDA_ERROR_NOT_FOUND);
    CHECK(fn == (void *)&status, "the original form leaves *pfn alone on a miss");
    CHECK_EQ(get_v1("cuCtxCreate", &fn, 1000, 0), CUDA_ERROR_NOT_FOUND);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s LIBRARY\n", argv[0]);
        return 2;
    }
    lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        fprintf(stderr, "cannot load %s: %s\n", argv[1], dlerror());
        return 1;
    }
    const char *marker = dlsym(lib, "gpumigrate_client_version");
    CHECK(marker && strncmp(marker, "gpumigrate-client", 17) == 0, "marker missing");
    test_before_init();
    test_init_without_agent();
    test_stubs();
    test_error_names();
    test_proc_address();
    return check_result("test_noagent");
}
