package io.gpumigrate.device.cuda;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The one place that binds the CUDA driver symbols this backend calls, each by the versioned
 * name that CUDA 13's {@code cuda.h} maps the plain name to, with a thin typed wrapper that
 * returns the raw {@code CUresult}. {@link #check} turns a failure into a {@link CudaException}
 * named by the driver's own {@code cuGetErrorName}. How a symbol is linked, and what a library
 * that lacks one is told, is {@link DriverSymbols}.
 *
 * <p>Types: {@code size_t}, {@code CUdeviceptr} and {@code unsigned long long} are
 * {@code long}; opaque handles ({@code CUcontext}, {@code CUstream}, {@code CUevent},
 * {@code CUmodule}, {@code CUfunction}, {@code CUmemGenericAllocationHandle}) are passed as
 * {@code long}, which every LP64 C ABI passes exactly as it passes a pointer; pointers to
 * memory the driver reads or writes are {@link MemorySegment}s.
 *
 * <p>Thread-safe: the driver is; this class holds only immutable handles.
 */
final class CudaDriver {

    private static final ValueLayout LONG = JAVA_LONG;
    private static final ValueLayout INT = JAVA_INT;

    private final DriverSymbols symbols;
    private final String origin;

    // Initialisation, errors, devices, contexts.
    private final MethodHandle cuInit = symbols.bind("cuInit", INT);
    private final MethodHandle cuDriverGetVersion = symbols.bind("cuDriverGetVersion", ADDRESS);
    private final MethodHandle cuGetErrorName = symbols.bind("cuGetErrorName", INT, ADDRESS);
    private final MethodHandle cuGetErrorString = symbols.bind("cuGetErrorString", INT, ADDRESS);
    private final MethodHandle cuDeviceGetCount = symbols.bind("cuDeviceGetCount", ADDRESS);
    private final MethodHandle cuDeviceGet = symbols.bind("cuDeviceGet", ADDRESS, INT);
    private final MethodHandle cuDeviceGetName = symbols.bind("cuDeviceGetName", ADDRESS, INT, INT);
    private final MethodHandle cuDeviceGetUuid = symbols.bind("cuDeviceGetUuid_v2", ADDRESS, INT);
    private final MethodHandle cuDeviceTotalMem = symbols.bind("cuDeviceTotalMem_v2", ADDRESS, INT);
    private final MethodHandle cuDeviceGetAttribute = symbols.bind("cuDeviceGetAttribute", ADDRESS, INT, INT);
    private final MethodHandle cuDevicePrimaryCtxRetain = symbols.bind("cuDevicePrimaryCtxRetain", ADDRESS, INT);
    private final MethodHandle cuDevicePrimaryCtxRelease = symbols.bind("cuDevicePrimaryCtxRelease_v2", INT);
    private final MethodHandle cuCtxSetCurrent = symbols.bind("cuCtxSetCurrent", LONG);
    private final MethodHandle cuCtxSynchronize = symbols.bind("cuCtxSynchronize");
    // Virtual memory management and pinned host memory.
    private final MethodHandle cuMemGetInfo = symbols.bind("cuMemGetInfo_v2", ADDRESS, ADDRESS);
    private final MethodHandle cuMemAlloc = symbols.bind("cuMemAlloc_v2", ADDRESS, LONG);
    private final MethodHandle cuMemFree = symbols.bind("cuMemFree_v2", LONG);
    private final MethodHandle cuMemAddressReserve = symbols.bind("cuMemAddressReserve", ADDRESS, LONG, LONG, LONG, LONG);
    private final MethodHandle cuMemAddressFree = symbols.bind("cuMemAddressFree", LONG, LONG);
    private final MethodHandle cuMemGetAllocationGranularity = symbols.bind("cuMemGetAllocationGranularity", ADDRESS, ADDRESS, INT);
    private final MethodHandle cuMemCreate = symbols.bind("cuMemCreate", ADDRESS, LONG, ADDRESS, LONG);
    private final MethodHandle cuMemRelease = symbols.bind("cuMemRelease", LONG);
    private final MethodHandle cuMemMap = symbols.bind("cuMemMap", LONG, LONG, LONG, LONG, LONG);
    private final MethodHandle cuMemUnmap = symbols.bind("cuMemUnmap", LONG, LONG);
    private final MethodHandle cuMemSetAccess = symbols.bind("cuMemSetAccess", LONG, LONG, ADDRESS, LONG);
    private final MethodHandle cuMemHostAlloc = symbols.bind("cuMemHostAlloc", ADDRESS, LONG, INT);
    private final MethodHandle cuMemFreeHost = symbols.bind("cuMemFreeHost", ADDRESS);
    private final MethodHandle cuMemHostRegister = symbols.bind("cuMemHostRegister_v2", ADDRESS, LONG, INT);
    private final MethodHandle cuMemHostUnregister = symbols.bind("cuMemHostUnregister", ADDRESS);
    // Copies and memsets, all stream-ordered.
    private final MethodHandle cuMemcpyHtoDAsync = symbols.bind("cuMemcpyHtoDAsync_v2", LONG, ADDRESS, LONG, LONG);
    private final MethodHandle cuMemcpyDtoHAsync = symbols.bind("cuMemcpyDtoHAsync_v2", ADDRESS, LONG, LONG, LONG);
    private final MethodHandle cuMemcpyDtoDAsync = symbols.bind("cuMemcpyDtoDAsync_v2", LONG, LONG, LONG, LONG);
    private final MethodHandle cuMemsetD8Async = symbols.bind("cuMemsetD8Async", LONG, JAVA_BYTE, LONG, LONG);
    private final MethodHandle cuMemsetD16Async = symbols.bind("cuMemsetD16Async", LONG, JAVA_SHORT, LONG, LONG);
    private final MethodHandle cuMemsetD32Async = symbols.bind("cuMemsetD32Async", LONG, INT, LONG, LONG);
    // Modules, functions, launches.
    private final MethodHandle cuModuleLoadDataEx = symbols.bind("cuModuleLoadDataEx", ADDRESS, ADDRESS, INT, ADDRESS, ADDRESS);
    private final MethodHandle cuModuleUnload = symbols.bind("cuModuleUnload", LONG);
    private final MethodHandle cuModuleGetFunction = symbols.bind("cuModuleGetFunction", ADDRESS, LONG, ADDRESS);
    private final MethodHandle cuModuleGetGlobal = symbols.bind("cuModuleGetGlobal_v2", ADDRESS, ADDRESS, LONG, ADDRESS);
    private final MethodHandle cuLinkCreate = symbols.bind("cuLinkCreate_v2", INT, ADDRESS, ADDRESS, ADDRESS);
    private final MethodHandle cuLinkAddData =
            symbols.bind("cuLinkAddData_v2", LONG, INT, ADDRESS, LONG, ADDRESS, INT, ADDRESS, ADDRESS);
    private final MethodHandle cuLinkComplete = symbols.bind("cuLinkComplete", LONG, ADDRESS, ADDRESS);
    private final MethodHandle cuLinkDestroy = symbols.bind("cuLinkDestroy", LONG);
    /** Since CUDA 12.4; null on older drivers. */
    private final MethodHandle cuFuncGetParamInfo = symbols.bindOptional("cuFuncGetParamInfo", LONG, LONG, ADDRESS, ADDRESS);
    private final MethodHandle cuFuncGetAttribute = symbols.bind("cuFuncGetAttribute", ADDRESS, INT, LONG);
    private final MethodHandle cuFuncSetAttribute = symbols.bind("cuFuncSetAttribute", LONG, INT, INT);
    private final MethodHandle cuLaunchKernel =
            symbols.bind("cuLaunchKernel", LONG, INT, INT, INT, INT, INT, INT, INT, LONG, ADDRESS, ADDRESS);
    // Streams and events.
    private final MethodHandle cuStreamCreateWithPriority = symbols.bind("cuStreamCreateWithPriority", ADDRESS, INT, INT);
    private final MethodHandle cuStreamDestroy = symbols.bind("cuStreamDestroy_v2", LONG);
    private final MethodHandle cuStreamSynchronize = symbols.bind("cuStreamSynchronize", LONG);
    private final MethodHandle cuStreamQuery = symbols.bind("cuStreamQuery", LONG);
    private final MethodHandle cuStreamWaitEvent = symbols.bind("cuStreamWaitEvent", LONG, LONG, INT);
    private final MethodHandle cuEventCreate = symbols.bind("cuEventCreate", ADDRESS, INT);
    private final MethodHandle cuEventRecord = symbols.bind("cuEventRecord", LONG, LONG);
    private final MethodHandle cuEventSynchronize = symbols.bind("cuEventSynchronize", LONG);
    private final MethodHandle cuEventQuery = symbols.bind("cuEventQuery", LONG);
    private final MethodHandle cuEventDestroy = symbols.bind("cuEventDestroy_v2", LONG);
    /** {@code cuEventElapsedTime_v2} since CUDA 12.8, the original before. */
    private final MethodHandle cuEventElapsedTime =
            symbols.bindFirst("cuEventElapsedTime_v2", "cuEventElapsedTime", ADDRESS, LONG, LONG);

    /**
     * Binds every symbol from {@code lookup}.
     *
     * @throws IllegalArgumentException naming the first required symbol the library lacks
     */
    CudaDriver(SymbolLookup lookup, String origin) {
        // Assigned before super() so that the field initializers above, which run right after
        // it, can bind from them (flexible constructor bodies, JDK 25).
        this.symbols = new DriverSymbols(lookup, origin);
        this.origin = origin;
        super();
    }

    /** Where the library came from, for messages. */
    String origin() {
        return origin;
    }

    boolean hasParamInfo() {
        return cuFuncGetParamInfo != null;
    }

    // ---- errors ---------------------------------------------------------------------------

    /** Throws unless {@code result} is {@code CUDA_SUCCESS}; {@code call} names what failed. */
    void check(int result, String call) throws CudaException {
        if (result != CuResult.SUCCESS) {
            throw error(result, call);
        }
    }

    /** The exception for a failed call, described in the driver's own words. */
    CudaException error(int result, String call) {
        return new CudaException(result, call + " failed: " + errorName(result) + ", " + errorText(result, cuGetErrorString));
    }

    /** The driver's {@code cuGetErrorName}, or gpumigrate's name when the driver knows none. */
    String errorName(int result) {
        String name = errorText(result, cuGetErrorName);
        return name != null ? name : CuResult.name(result);
    }

    private static String errorText(int result, MethodHandle getter) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            int rc = (int) getter.invokeExact(result, out);
            MemorySegment text = out.get(ADDRESS, 0);
            return rc == 0 && !text.equals(MemorySegment.NULL) ? text.reinterpret(1024).getString(0) : null;
        } catch (Throwable t) {
            return null;
        }
    }

    private static IllegalStateException unexpected(Throwable t) {
        return new IllegalStateException("CUDA driver downcall failed unexpectedly", t);
    }

    // ---- wrappers: each returns the raw CUresult ------------------------------------------

    int init(int flags) {
        try { return (int) cuInit.invokeExact(flags); } catch (Throwable t) { throw unexpected(t); }
    }

    int driverGetVersion(MemorySegment version) {
        try { return (int) cuDriverGetVersion.invokeExact(version); } catch (Throwable t) { throw unexpected(t); }
    }

    int deviceGetCount(MemorySegment count) {
        try { return (int) cuDeviceGetCount.invokeExact(count); } catch (Throwable t) { throw unexpected(t); }
    }

    int deviceGet(MemorySegment device, int ordinal) {
        try { return (int) cuDeviceGet.invokeExact(device, ordinal); } catch (Throwable t) { throw unexpected(t); }
    }

    int deviceGetName(MemorySegment name, int length, int device) {
        try { return (int) cuDeviceGetName.invokeExact(name, length, device); } catch (Throwable t) { throw unexpected(t); }
    }

    int deviceGetUuid(MemorySegment uuid, int device) {
        try { return (int) cuDeviceGetUuid.invokeExact(uuid, device); } catch (Throwable t) { throw unexpected(t); }
    }

    int deviceTotalMem(MemorySegment bytes, int device) {
        try { return (int) cuDeviceTotalMem.invokeExact(bytes, device); } catch (Throwable t) { throw unexpected(t); }
    }

    int deviceGetAttribute(MemorySegment value, int attribute, int device) {
        try { return (int) cuDeviceGetAttribute.invokeExact(value, attribute, device); } catch (Throwable t) { throw unexpected(t); }
    }

    int primaryCtxRetain(MemorySegment context, int device) {
        try { return (int) cuDevicePrimaryCtxRetain.invokeExact(context, device); } catch (Throwable t) { throw unexpected(t); }
    }

    int primaryCtxRelease(int device) {
        try { return (int) cuDevicePrimaryCtxRelease.invokeExact(device); } catch (Throwable t) { throw unexpected(t); }
    }

    int ctxSetCurrent(long context) {
        try { return (int) cuCtxSetCurrent.invokeExact(context); } catch (Throwable t) { throw unexpected(t); }
    }

    int ctxSynchronize() {
        try { return (int) cuCtxSynchronize.invokeExact(); } catch (Throwable t) { throw unexpected(t); }
    }

    int memGetInfo(MemorySegment free, MemorySegment total) {
        try { return (int) cuMemGetInfo.invokeExact(free, total); } catch (Throwable t) { throw unexpected(t); }
    }

    /** Plain driver allocation, outside the session's address window: for the backend's own scratch. */
    int memAlloc(MemorySegment ptr, long bytes) {
        try { return (int) cuMemAlloc.invokeExact(ptr, bytes); } catch (Throwable t) { throw unexpected(t); }
    }

    int memFree(long ptr) {
        try { return (int) cuMemFree.invokeExact(ptr); } catch (Throwable t) { throw unexpected(t); }
    }

    int memAddressReserve(MemorySegment ptr, long size, long alignment, long hint, long flags) {
        try { return (int) cuMemAddressReserve.invokeExact(ptr, size, alignment, hint, flags); } catch (Throwable t) { throw unexpected(t); }
    }

    int memAddressFree(long ptr, long size) {
        try { return (int) cuMemAddressFree.invokeExact(ptr, size); } catch (Throwable t) { throw unexpected(t); }
    }

    int memGetAllocationGranularity(MemorySegment granularity, MemorySegment prop, int option) {
        try { return (int) cuMemGetAllocationGranularity.invokeExact(granularity, prop, option); } catch (Throwable t) { throw unexpected(t); }
    }

    int memCreate(MemorySegment handle, long size, MemorySegment prop, long flags) {
        try { return (int) cuMemCreate.invokeExact(handle, size, prop, flags); } catch (Throwable t) { throw unexpected(t); }
    }

    int memRelease(long handle) {
        try { return (int) cuMemRelease.invokeExact(handle); } catch (Throwable t) { throw unexpected(t); }
    }

    int memMap(long ptr, long size, long offset, long handle, long flags) {
        try { return (int) cuMemMap.invokeExact(ptr, size, offset, handle, flags); } catch (Throwable t) { throw unexpected(t); }
    }

    int memUnmap(long ptr, long size) {
        try { return (int) cuMemUnmap.invokeExact(ptr, size); } catch (Throwable t) { throw unexpected(t); }
    }

    int memSetAccess(long ptr, long size, MemorySegment descriptors, long count) {
        try { return (int) cuMemSetAccess.invokeExact(ptr, size, descriptors, count); } catch (Throwable t) { throw unexpected(t); }
    }

    int memHostAlloc(MemorySegment pointer, long bytes, int flags) {
        try { return (int) cuMemHostAlloc.invokeExact(pointer, bytes, flags); } catch (Throwable t) { throw unexpected(t); }
    }

    int memFreeHost(MemorySegment pointer) {
        try { return (int) cuMemFreeHost.invokeExact(pointer); } catch (Throwable t) { throw unexpected(t); }
    }

    int memHostRegister(MemorySegment pointer, long bytes, int flags) {
        try { return (int) cuMemHostRegister.invokeExact(pointer, bytes, flags); } catch (Throwable t) { throw unexpected(t); }
    }

    int memHostUnregister(MemorySegment pointer) {
        try { return (int) cuMemHostUnregister.invokeExact(pointer); } catch (Throwable t) { throw unexpected(t); }
    }

    int memcpyHtoDAsync(long dst, MemorySegment src, long bytes, long stream) {
        try { return (int) cuMemcpyHtoDAsync.invokeExact(dst, src, bytes, stream); } catch (Throwable t) { throw unexpected(t); }
    }

    int memcpyDtoHAsync(MemorySegment dst, long src, long bytes, long stream) {
        try { return (int) cuMemcpyDtoHAsync.invokeExact(dst, src, bytes, stream); } catch (Throwable t) { throw unexpected(t); }
    }

    int memcpyDtoDAsync(long dst, long src, long bytes, long stream) {
        try { return (int) cuMemcpyDtoDAsync.invokeExact(dst, src, bytes, stream); } catch (Throwable t) { throw unexpected(t); }
    }

    int memsetD8Async(long dst, byte value, long count, long stream) {
        try { return (int) cuMemsetD8Async.invokeExact(dst, value, count, stream); } catch (Throwable t) { throw unexpected(t); }
    }

    int memsetD16Async(long dst, short value, long count, long stream) {
        try { return (int) cuMemsetD16Async.invokeExact(dst, value, count, stream); } catch (Throwable t) { throw unexpected(t); }
    }

    int memsetD32Async(long dst, int value, long count, long stream) {
        try { return (int) cuMemsetD32Async.invokeExact(dst, value, count, stream); } catch (Throwable t) { throw unexpected(t); }
    }

    int moduleLoadDataEx(MemorySegment module, MemorySegment image, int optionCount, MemorySegment options, MemorySegment values) {
        try { return (int) cuModuleLoadDataEx.invokeExact(module, image, optionCount, options, values); } catch (Throwable t) { throw unexpected(t); }
    }

    int moduleUnload(long module) {
        try { return (int) cuModuleUnload.invokeExact(module); } catch (Throwable t) { throw unexpected(t); }
    }

    int moduleGetFunction(MemorySegment function, long module, MemorySegment name) {
        try { return (int) cuModuleGetFunction.invokeExact(function, module, name); } catch (Throwable t) { throw unexpected(t); }
    }

    int moduleGetGlobal(MemorySegment dptr, MemorySegment bytes, long module, MemorySegment name) {
        try { return (int) cuModuleGetGlobal.invokeExact(dptr, bytes, module, name); } catch (Throwable t) { throw unexpected(t); }
    }

    int linkCreate(int optionCount, MemorySegment options, MemorySegment values, MemorySegment state) {
        try { return (int) cuLinkCreate.invokeExact(optionCount, options, values, state); } catch (Throwable t) { throw unexpected(t); }
    }

    int linkAddData(long state, int type, MemorySegment data, long size, MemorySegment name) {
        try {
            return (int) cuLinkAddData.invokeExact(state, type, data, size, name, 0, MemorySegment.NULL, MemorySegment.NULL);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    int linkComplete(long state, MemorySegment cubin, MemorySegment size) {
        try { return (int) cuLinkComplete.invokeExact(state, cubin, size); } catch (Throwable t) { throw unexpected(t); }
    }

    int linkDestroy(long state) {
        try { return (int) cuLinkDestroy.invokeExact(state); } catch (Throwable t) { throw unexpected(t); }
    }

    /** Only when {@link #hasParamInfo()}. */
    int funcGetParamInfo(long function, long index, MemorySegment offset, MemorySegment size) {
        try { return (int) cuFuncGetParamInfo.invokeExact(function, index, offset, size); } catch (Throwable t) { throw unexpected(t); }
    }

    int funcGetAttribute(MemorySegment value, int attribute, long function) {
        try { return (int) cuFuncGetAttribute.invokeExact(value, attribute, function); } catch (Throwable t) { throw unexpected(t); }
    }

    int funcSetAttribute(long function, int attribute, int value) {
        try { return (int) cuFuncSetAttribute.invokeExact(function, attribute, value); } catch (Throwable t) { throw unexpected(t); }
    }

    int launchKernel(long function, int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ,
                     int sharedMemBytes, long stream, MemorySegment kernelParams, MemorySegment extra) {
        try {
            return (int) cuLaunchKernel.invokeExact(function, gridX, gridY, gridZ, blockX, blockY, blockZ,
                    sharedMemBytes, stream, kernelParams, extra);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    int streamCreateWithPriority(MemorySegment stream, int flags, int priority) {
        try { return (int) cuStreamCreateWithPriority.invokeExact(stream, flags, priority); } catch (Throwable t) { throw unexpected(t); }
    }

    int streamDestroy(long stream) {
        try { return (int) cuStreamDestroy.invokeExact(stream); } catch (Throwable t) { throw unexpected(t); }
    }

    int streamSynchronize(long stream) {
        try { return (int) cuStreamSynchronize.invokeExact(stream); } catch (Throwable t) { throw unexpected(t); }
    }

    int streamQuery(long stream) {
        try { return (int) cuStreamQuery.invokeExact(stream); } catch (Throwable t) { throw unexpected(t); }
    }

    int streamWaitEvent(long stream, long event, int flags) {
        try { return (int) cuStreamWaitEvent.invokeExact(stream, event, flags); } catch (Throwable t) { throw unexpected(t); }
    }

    int eventCreate(MemorySegment event, int flags) {
        try { return (int) cuEventCreate.invokeExact(event, flags); } catch (Throwable t) { throw unexpected(t); }
    }

    int eventRecord(long event, long stream) {
        try { return (int) cuEventRecord.invokeExact(event, stream); } catch (Throwable t) { throw unexpected(t); }
    }

    int eventSynchronize(long event) {
        try { return (int) cuEventSynchronize.invokeExact(event); } catch (Throwable t) { throw unexpected(t); }
    }

    int eventQuery(long event) {
        try { return (int) cuEventQuery.invokeExact(event); } catch (Throwable t) { throw unexpected(t); }
    }

    int eventElapsedTime(MemorySegment millis, long start, long end) {
        try { return (int) cuEventElapsedTime.invokeExact(millis, start, end); } catch (Throwable t) { throw unexpected(t); }
    }

    int eventDestroy(long event) {
        try { return (int) cuEventDestroy.invokeExact(event); } catch (Throwable t) { throw unexpected(t); }
    }
}
