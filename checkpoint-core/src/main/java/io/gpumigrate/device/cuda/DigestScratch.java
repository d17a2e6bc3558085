package io.gpumigrate.device.cuda;

import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.KernelChunkHasher;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The digest kernels' scratch on the CUDA backend: one buffer from the driver's own allocator
 * ({@code cuMemAlloc}, outside the session's address window, so never among its allocations),
 * kept between calls and grown when a call needs more. Allocating it through the window each
 * call mapped and unmapped pages and synchronized the context, about a millisecond a call,
 * with one call per allocation of a session inside a migration's pause.
 *
 * <p>Not thread-safe: the backend's thread, with its context current.
 */
final class DigestScratch implements KernelChunkHasher.Scratch {

    /** The smallest buffer kept: the scratch of a few GiB of device memory in 2 MiB chunks. */
    private static final long MIN_BYTES = 1L << 20;

    private final CudaDriver driver;
    private final MemorySegment out = Arena.ofAuto().allocate(ValueLayout.JAVA_LONG);
    private long address;
    private long size;

    DigestScratch(CudaDriver driver) {
        this.driver = driver;
    }

    @Override
    public long take(long bytes) throws CudaException {
        if (bytes > size) {
            release();
            long want = Math.max(MIN_BYTES, Long.highestOneBit(bytes - 1) << 1);
            driver.check(driver.memAlloc(out, want), "cuMemAlloc (digest scratch of " + want + " bytes)");
            address = out.get(ValueLayout.JAVA_LONG, 0);
            size = want;
        }
        return address;
    }

    @Override
    public void give(long scratch) {
        // kept for the next call
    }

    /** Whether {@code [at, at + bytes)} lies inside the buffer: the backend's checked copies let the kernels' results out. */
    boolean contains(long at, long bytes) {
        return size > 0 && at >= address && bytes <= size - (at - address);
    }

    /** Frees the buffer (cuMemFree waits for the work that may still use it). */
    void release() throws CudaException {
        if (size > 0) {
            driver.check(driver.memFree(address), "cuMemFree (digest scratch)");
            address = 0;
            size = 0;
        }
    }
}
