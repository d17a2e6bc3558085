/*
 * Devices: a session sees exactly one device, ordinal 0, described by the properties cuInit
 * fetched; every query here is answered locally, without a round trip.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "gm.h"

CUresult cuDeviceGetCount(int *count)
{
    if (count == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_require_init();
    if (rc == CUDA_SUCCESS)
        *count = 1;
    return rc;
}

CUresult cuDeviceGet(CUdevice *device, int ordinal)
{
    if (device == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_require_init();
    if (rc != CUDA_SUCCESS)
        return rc;
    if (ordinal != 0)
        return CUDA_ERROR_INVALID_DEVICE;
    *device = 0;
    return CUDA_SUCCESS;
}

CUresult cuDeviceGetName(char *name, int len, CUdevice dev)
{
    if (name == NULL || len <= 0)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_check_device(dev);
    if (rc == CUDA_SUCCESS)
        snprintf(name, (size_t)len, "%s", gm_device()->name);
    return rc;
}

CUresult cuDeviceGetAttribute(int *pi, CUdevice_attribute attrib, CUdevice dev)
{
    if (pi == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_check_device(dev);
    if (rc != CUDA_SUCCESS)
        return rc;
    /* Attributes this API knows but the worker did not report read as 0, as on the worker. */
    uint32_t count = gm_device()->attribute_count;
    if ((int)attrib <= 0 || ((uint32_t)attrib >= count && attrib >= CU_DEVICE_ATTRIBUTE_MAX))
        return CUDA_ERROR_INVALID_VALUE;
    *pi = (uint32_t)attrib < count ? gm_device()->attr[attrib] : 0;
    return CUDA_SUCCESS;
}

/* An attribute the worker did not report reads as 0. */
static int attribute(CUdevice_attribute attrib)
{
    const struct gm_device_props *d = gm_device();
    return (uint32_t)attrib < d->attribute_count ? d->attr[attrib] : 0;
}

CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice dev)
{
    if (bytes == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_check_device(dev);
    if (rc == CUDA_SUCCESS)
        *bytes = (size_t)gm_device()->total_mem;
    return rc;
}

/* The CUDA 2.0 form reports in 32 bits: clamped to UINT_MAX. */
CUresult cuDeviceTotalMem(unsigned int *bytes, CUdevice dev)
{
    size_t total;
    if (bytes == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = cuDeviceTotalMem_v2(&total, dev);
    if (rc == CUDA_SUCCESS)
        *bytes = total > UINT_MAX ? UINT_MAX : (unsigned int)total;
    return rc;
}

CUresult cuDeviceComputeCapability(int *major, int *minor, CUdevice dev)
{
    if (major == NULL || minor == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_check_device(dev);
    if (rc == CUDA_SUCCESS) {
        *major = attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
        *minor = attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
    }
    return rc;
}

CUresult cuDeviceGetUuid_v2(CUuuid *uuid, CUdevice dev)
{
    if (uuid == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_check_device(dev);
    if (rc == CUDA_SUCCESS)
        memcpy(uuid->bytes, gm_device()->uuid, sizeof uuid->bytes);
    return rc;
}
GM_ALIAS(cuDeviceGetUuid, cuDeviceGetUuid_v2);

CUresult cuDeviceGetProperties(CUdevprop *prop, CUdevice dev)
{
    if (prop == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_check_device(dev);
    if (rc != CUDA_SUCCESS)
        return rc;
    prop->maxThreadsPerBlock = attribute(CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK);
    prop->maxThreadsDim[0] = attribute(CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X);
    prop->maxThreadsDim[1] = attribute(CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y);
    prop->maxThreadsDim[2] = attribute(CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z);
    prop->maxGridSize[0] = attribute(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X);
    prop->maxGridSize[1] = attribute(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y);
    prop->maxGridSize[2] = attribute(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z);
    prop->sharedMemPerBlock = attribute(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK);
    prop->totalConstantMemory = attribute(CU_DEVICE_ATTRIBUTE_TOTAL_CONSTANT_MEMORY);
    prop->SIMDWidth = attribute(CU_DEVICE_ATTRIBUTE_WARP_SIZE);
    prop->memPitch = attribute(CU_DEVICE_ATTRIBUTE_MAX_PITCH);
    prop->regsPerBlock = attribute(CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_BLOCK);
    prop->clockRate = attribute(CU_DEVICE_ATTRIBUTE_CLOCK_RATE);
    prop->textureAlign = attribute(CU_DEVICE_ATTRIBUTE_TEXTURE_ALIGNMENT);
    return CUDA_SUCCESS;
}

CUresult cuDeviceGetPCIBusId(char *pciBusId, int len, CUdevice dev)
{
    if (pciBusId == NULL || len <= 0)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_check_device(dev);
    if (rc == CUDA_SUCCESS)
        snprintf(pciBusId, (size_t)len, "%08x:%02x:%02x.0", attribute(CU_DEVICE_ATTRIBUTE_PCI_DOMAIN_ID),
                 attribute(CU_DEVICE_ATTRIBUTE_PCI_BUS_ID), attribute(CU_DEVICE_ATTRIBUTE_PCI_DEVICE_ID));
    return rc;
}

/* One device per session: there is never a peer. */
CUresult cuDeviceCanAccessPeer(int *canAccessPeer, CUdevice dev, CUdevice peerDev)
{
    if (canAccessPeer == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_check_device(dev);
    if (rc == CUDA_SUCCESS)
        rc = gm_check_device(peerDev);
    if (rc == CUDA_SUCCESS)
        *canAccessPeer = 0;
    return rc;
}
