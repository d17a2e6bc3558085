package io.gpumigrate.device.cuda;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
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
 * named by the driver's own {@code cuGetErrorName}.
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

    private static final Linker LINKER = Linker.nativeLinker();
    private static final ValueLayout LONG = JAVA_LONG;
    private static final ValueLayout INT = JAVA_INT;

    private final SymbolLookup lookup;
    private final String origin;

    // Initialisation, errors, devices, contexts.
    private final MethodHandle cuInit = bind("cuInit", INT);
    private final MethodHandle cuDriverGetVersion = bind("cuDriverGetVersion", ADDRESS);
    private final MethodHandle cuGetErrorName = bind("cuGetErrorName", INT, ADDRESS);
    private final MethodHandle cuGetErrorString = bind("cuGetErrorString", INT, ADDRESS);
    private final MethodHandle cuDeviceGetCount = bind("cuDeviceGetCount", ADDRESS);
    private final MethodHandle cuDeviceGet = bind("cuDeviceGet", ADDRESS, INT);
    private final MethodHandle cuDeviceGetName = bind("cuDeviceGetName", ADDRESS, INT, INT);
    private final MethodHandle cuDeviceGetUuid = bind("cuDeviceGetUuid_v2", ADDRESS, INT);
    private final MethodHandle cuDeviceTotalMem = bind("cuDeviceTotalMem_v2", ADDRESS, INT);
    private final MethodHandle cuDeviceGetAttribute = bind("cuDeviceGetAttribute", ADDRESS, INT, INT);
    private final MethodHandle cuDevicePrimaryCtxRetain = bind("cuDevicePrimaryCtxRetain", ADDRESS, INT);
    private final MethodHandle cuDevicePrimaryCtxRelease = bind("cuDevicePrimaryCtxRelease_v2", INT);
    private final MethodHandle cuCtxSetCurrent = bind("cuCtxSetCurrent", LONG);
    private final MethodHandle cuCtxSynchronize = bind("cuCtxSynchronize");
    // Virtual memory management and pinned host memory.
    private final MethodHandle cuMemGetInfo = bind("cuMemGetInfo_v2", ADDRESS, ADDRESS);
    private final MethodHandle cuMemAlloc = bind("cuMemAlloc_v2", ADDRESS, LONG);
    private final MethodHandle cuMemFree = bind("cuMemFree_v2", LONG);
    private final MethodHandle cuMemAddressReserve = bind("cuMemAddressReserve", ADDRESS, LONG, LONG, LONG, LONG);
    private final MethodHandle cuMemAddressFree = bind("cuMemAddressFree", LONG, LONG);
    private final MethodHandle cuMemGetAllocationGranularity = bind("cuMemGetAllocationGranularity", ADDRESS, ADDRESS, INT);
    private final MethodHandle cuMemCreate = bind("cuMemCreate", ADDRESS, LONG, ADDRESS, LONG);
    private final MethodHandle cuMemRelease = bind("cuMemRelease", LONG);
    private final MethodHandle cuMemMap = bind("cuMemMap", LONG, LONG, LONG, LONG, LONG);
    private final MethodHandle cuMemUnmap = bind("cuMemUnmap", LONG, LONG);
    private final MethodHandle cuMemSetAccess = bind("cuMemSetAccess", LONG, LONG, ADDRESS, LONG);
    private final MethodHandle cuMemHostAlloc = bind("cuMemHostAlloc", ADDRESS, LONG, INT);
    private final MethodHandle cuMemFreeHost = bind("cuMemFreeHost", ADDRESS);
    private final MethodHandle cuMemHostRegister = bind("cuMemHostRegister_v2", ADDRESS, LONG, INT);
    private final MethodHandle cuMemHostUnregister = bind("cuMemHostUnregister", ADDRESS);
    // Copies and memsets, all stream-ordered.
    private final MethodHandle cuMemcpyHtoDAsync = bind("cuMemcpyHtoDAsync_v2", LONG, ADDRESS, LONG, LONG);
    private final MethodHandle cuMemcpyDtoHAsync = bind("cuMemcpyDtoHAsync_v2", ADDRESS, LONG, LONG, LONG);
    private final MethodHandle cuMemcpyDtoDAsync = bind("cuMemcpyDtoDAsync_v2", LONG, LONG, LONG, LONG);
    private final MethodHandle cuMemsetD8Async = bind("cuMemsetD8Async", LONG, JAVA_BYTE, LONG, LONG);
    private final MethodHandle cuMemsetD16Async = bind("cuMemsetD16Async", LONG, JAVA_SHORT, LONG, LONG);
    private final MethodHandle cuMemsetD32Async = bind("cuMemsetD32Async", LONG, INT, LONG, LONG);
    // Modules, functions, launches.
    private final MethodHandle cuModuleLoadDataEx = bind("cuModuleLoadDataEx", ADDRESS, ADDRESS, INT, ADDRESS, ADDRESS);
    private final MethodHandle cuModuleUnload = bind("cuModuleUnload", LONG);
    private final MethodHandle cuModuleGetFunction = bind("cuModuleGetFunction", ADDRESS, LONG, ADDRESS);
    private final MethodHandle cuModuleGetGlobal = bind("cuModuleGetGlobal_v2", ADDRESS, ADDRESS, LONG, ADDRESS);
    /** Since CUDA 12.4; null on older drivers. */
    private final MethodHandle cuFuncGetParamInfo = bindOptional("cuFuncGetParamInfo", LONG, LONG, ADDRESS, ADDRESS);
    private final MethodHandle cuFuncGetAttribute = bind("cuFuncGetAttribute", ADDRESS, INT, LONG);
    private final MethodHandle cuFuncSetAttribute = bind("cuFuncSetAttribute", LONG, INT, INT);
    private final MethodHandle cuLaunchKernel =
            bind("cuLaunchKernel", LONG, INT, INT, INT, INT, INT, INT, INT, LONG, ADDRESS, ADDRESS);
    // Streams and events.
    private final MethodHandle cuStreamCreateWithPriority = bind("cuStreamCreateWithPriority", ADDRESS, INT, INT);
    private final MethodHandle cuStreamDestroy = bind("cuStreamDestroy_v2", LONG);
    private final MethodHandle cuStreamSynchronize = bind("cuStreamSynchronize", LONG);
    private final MethodHandle cuStreamQuery = bind("cuStreamQuery", LONG);
    private final MethodHandle cuStreamWaitEvent = bind("cuStreamWaitEvent", LONG, LONG, INT);
    private final MethodHandle cuEventCreate = bind("cuEventCreate", ADDRESS, INT);
    private final MethodHandle cuEventRecord = bind("cuEventRecord", LONG, LONG);
    private final MethodHandle cuEventSynchronize = bind("cuEventSynchronize", LONG);
    private final MethodHandle cuEventQuery = bind("cuEventQuery", LONG);
    private final MethodHandle cuEventDestroy = bind("cuEventDestroy_v2", LONG);
    /** {@code cuEventElapsedTime_v2} since CUDA 12.8, the original before. */
    private final MethodHandle cuEventElapsedTime = bindFirst(ADDRESS, LONG, LONG);

    /**
     * Binds every symbol from {@code lookup}.
     *
     * @throws IllegalArgumentException naming the first required symbol the library lacks
     */
    CudaDriver(SymbolLookup lookup, String origin) {
        // Assigned before super() so that the field initializers above, which run right after
        // it, can bind from them (flexible constructor bodies, JDK 25).
        this.lookup = lookup;
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

    // ---- binding --------------------------------------------------------------------------

    private MethodHandle bind(String symbol, MemoryLayout... args) {
        MethodHandle handle = bindOptional(symbol, args);
        if (handle == null) {
            throw new IllegalArgumentException(origin + " does not export " + symbol
                    + ": not a CUDA 12.4+ driver library (NVIDIA driver 550 or newer is required)");
        }
        return handle;
    }

    private MethodHandle bindOptional(String symbol, MemoryLayout... args) {
        return lookup.find(symbol)
                .map(address -> LINKER.downcallHandle(address, FunctionDescriptor.of(JAVA_INT, args)))
                .orElse(null);
    }

    private MethodHandle bindFirst(MemoryLayout... args) {
        MethodHandle v2 = bindOptional("cuEventElapsedTime_v2", args);
        return v2 != null ? v2 : bind("cuEventElapsedTime", args);
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
