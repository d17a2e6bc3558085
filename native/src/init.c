/*
 * Initialization and versions: cuInit opens the session (session.c) once per process and
 * keeps the device's properties; cuDriverGetVersion reports the worker's driver version.
 */
#include <pthread.h>
#include <stdlib.h>

#include "gm.h"
#include "log.h"
#include "session.h"
#include "transport.h"

/** Lets a worker (or a test) tell this library from NVIDIA's: dlsym(handle, "gpumigrate_client_version"). */
const char gpumigrate_client_version[] = "gpumigrate-client 0.1.0 (wire protocol 1.0)";

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static int init_done;             /* cuInit has run (successfully or not); under init_lock */
static CUresult init_result;      /* what it returned; repeated by later cuInit calls */
static int initialized;           /* 1 once the session is open: read with acquire */
static struct gm_device_props props;

static void say_goodbye(void)
{
    gm_transport_goodbye();
}

CUresult cuInit(unsigned int Flags)
{
    if (Flags != 0)
        return CUDA_ERROR_INVALID_VALUE;
    pthread_mutex_lock(&init_lock);
    if (!init_done) {
        init_result = gm_session_open(&props);
        init_done = 1;
        if (init_result == CUDA_SUCCESS) {
            __atomic_store_n(&initialized, 1, __ATOMIC_RELEASE);
            atexit(say_goodbye);
        }
    }
    CUresult rc = init_result;
    pthread_mutex_unlock(&init_lock);
    return rc;
}

CUresult gm_require_init(void)
{
    return __atomic_load_n(&initialized, __ATOMIC_ACQUIRE) ? CUDA_SUCCESS : CUDA_ERROR_NOT_INITIALIZED;
}

const struct gm_device_props *gm_device(void)
{
    return &props;
}

CUresult gm_check_device(CUdevice dev)
{
    CUresult rc = gm_require_init();
    if (rc != CUDA_SUCCESS)
        return rc;
    return dev == 0 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_DEVICE;
}

CUresult cuDriverGetVersion(int *driverVersion)
{
    if (driverVersion == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    /* Before cuInit there is no worker to ask: report the API version this library implements. */
    *driverVersion = gm_require_init() == CUDA_SUCCESS ? props.driver_version : CUDA_VERSION;
    return CUDA_SUCCESS;
}
