package io.gpumigrate.device.cuda;

import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;

import java.lang.foreign.MemorySegment;

/**
 * The copies and memsets of the device SPI, each checked first against the session's own
 * tables: every device range touched must lie inside one allocation (its requested size) or one
 * module global looked up earlier, so a bad copy is the caller's {@code CUDA_ERROR_INVALID_VALUE}
 * and never writes over another allocation. Host copies go through {@link HostCopies}.
 *
 * <p>Not thread-safe: called on the session's thread with the context current, except
 * {@link #toDeviceConcurrently}, which several threads may call at once while nothing else runs.
 */
final class CheckedCopies {

    private final CudaDriver driver;
    private final DeviceMemory memory;
    private final CudaModules modules;
    private final HostCopies host;
    private final DigestScratch scratch;

    CheckedCopies(CudaDriver driver, DeviceMemory memory, CudaModules modules, HostCopies host, DigestScratch scratch) {
        this.driver = driver;
        this.memory = memory;
        this.modules = modules;
        this.host = host;
        this.scratch = scratch;
    }

    void toDevice(long dst, MemorySegment src, long stream) throws CudaException {
        check(dst, src.byteSize(), "copyHtoD destination");
        host.toDevice(dst, src, stream);
    }

    /** {@code CU_STREAM_PER_THREAD}: each host thread's own default stream. */
    private static final long STREAM_PER_THREAD = 0x2;

    /**
     * {@link io.gpumigrate.device.DeviceBackend#copyHtoDConcurrently}: reads only state that the serial methods
     * change, so it may run on several threads at once while they do not.
     */
    void toDeviceConcurrently(long dst, MemorySegment src) throws CudaException {
        check(dst, src.byteSize(), "copyHtoD destination");
        if (src.byteSize() == 0) {
            return;
        }
        driver.check(driver.memcpyHtoDAsync(dst, src, src.byteSize(), STREAM_PER_THREAD),
                String.format("cuMemcpyHtoDAsync(0x%x, %d bytes, per-thread stream)", dst, src.byteSize()));
        driver.check(driver.streamSynchronize(STREAM_PER_THREAD), "cuStreamSynchronize(per-thread stream)");
    }

    void toHost(MemorySegment dst, long src, long stream) throws CudaException {
        check(src, dst.byteSize(), "copyDtoH source");
        if (dst.isReadOnly()) {
            throw new CudaException(CuResult.INVALID_VALUE, "copyDtoH destination is read-only");
        }
        host.toHost(dst, src, stream);
    }

    void deviceToDevice(long dst, long src, long bytes, long stream) throws CudaException {
        check(dst, bytes, "copyDtoD destination");
        check(src, bytes, "copyDtoD source");
        if (bytes > 0) {
            driver.check(driver.memcpyDtoDAsync(dst, src, bytes, stream), "cuMemcpyDtoDAsync");
        }
    }

    void memset(long dst, int value, int elementSize, long count, long stream) throws CudaException {
        if (elementSize != 1 && elementSize != 2 && elementSize != 4) {
            throw new CudaException(CuResult.INVALID_VALUE, "memset element size " + elementSize + " is not 1, 2 or 4");
        }
        if (count < 0 || count > Long.MAX_VALUE / elementSize) {
            throw new CudaException(CuResult.INVALID_VALUE, "memset count " + count + " is out of range");
        }
        check(dst, count * elementSize, "memset destination");
        if (count == 0) {
            return;
        }
        int rc = switch (elementSize) {
            case 1 -> driver.memsetD8Async(dst, (byte) value, count, stream);
            case 2 -> driver.memsetD16Async(dst, (short) value, count, stream);
            default -> driver.memsetD32Async(dst, value, count, stream);
        };
        driver.check(rc, "cuMemsetD" + elementSize * 8 + "Async");
    }

    /**
     * {@code [address, address + bytes)} must lie inside one allocation, one module global, one
     * module's block of placed globals or the backend's digest scratch (whose results the digest kernels copy back).
     */
    private void check(long address, long bytes, String what) throws CudaException {
        if (bytes < 0) {
            throw new CudaException(CuResult.INVALID_VALUE, what + ": negative size " + bytes);
        }
        if (bytes == 0) {
            return;
        }
        DeviceMemory.Allocation a = memory.find(address);
        if (a != null && bytes <= a.requested() - (address - a.base())) {
            return;
        }
        AddressRange global = modules.globalContaining(address);
        if (global != null && global.contains(address, bytes)) {
            return;
        }
        AddressRange block = modules.blockContaining(address);
        if (block != null && block.contains(address, bytes)) {
            return; // a module's placed globals, copied whole by a snapshot or a restore
        }
        if (scratch.contains(address, bytes)) {
            return;
        }
        throw new CudaException(CuResult.INVALID_VALUE, String.format(
                "%s 0x%x + %d bytes is not inside one allocation or module global", what, address, bytes));
    }
}
