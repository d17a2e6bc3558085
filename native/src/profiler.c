/*
 * Profiler range markers (cudaProfiler.h): accepted and ignored, so programs that bracket
 * their work with them run unchanged; nothing is profiled.
 */
#include "gm.h"

CUresult cuProfilerStart(void);
CUresult cuProfilerStop(void);

CUresult cuProfilerStart(void)
{
    return gm_require_context();
}

CUresult cuProfilerStop(void)
{
    return gm_require_context();
}
