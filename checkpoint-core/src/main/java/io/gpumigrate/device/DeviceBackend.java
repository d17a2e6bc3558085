package io.gpumigrate.device;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.BitSet;
import java.util.List;

/**
 * One device context on one device, as a session worker sees it: a real GPU (the CUDA
 * backend) or the PTX emulator. Every implementation passes {@code DeviceBackendContract}.
 *
 * <p>Not thread-safe: a session calls its backend from its single executor thread, in the
 * order the client issued the calls. Work on a stream may run asynchronously; the methods
 * documented as blocking return only when that work has finished.
 *
 * <p>Failures are {@link CudaException}s carrying the {@code CUresult} CUDA would return.
 * Bad arguments (unknown handles of another backend, copies outside an allocation) are
 * the caller's error and never corrupt the backend's other state.
 *
 * <p>A {@code null} {@link DeviceStream} means the default (legacy NULL) stream.
 */
public interface DeviceBackend extends AutoCloseable {

    /** Static facts about the device; never changes during the backend's life. */
    DeviceProperties properties();

    /** Allocates {@code bytes} (> 0) of device memory, aligned to at least 256 bytes. */
    long memAlloc(long bytes) throws CudaException;

    /** Frees an allocation by its base address; {@code CUDA_ERROR_INVALID_VALUE} for any other address. */
    void memFree(long dptr) throws CudaException;

    /**
     * Allocates {@code bytes} (> 0) of device memory at exactly {@code address}, as a restore
     * or the target of a migration must (device pointers are never translated). Returns
     * {@code address}. {@code CUDA_ERROR_INVALID_VALUE} when the range overlaps a live
     * allocation or lies outside the session's address window, {@code CUDA_ERROR_OUT_OF_MEMORY}
     * when the device lacks the memory. Backends that cannot place allocations throw
     * {@code CUDA_ERROR_NOT_SUPPORTED}, the default.
     */
    default long memAllocAt(long address, long bytes) throws CudaException {
        throw new CudaException(CuResult.NOT_SUPPORTED,
                getClass().getSimpleName() + " cannot place an allocation at 0x" + Long.toHexString(address));
    }

    /**
     * The live allocations made by {@link #memAlloc} and {@link #memAllocAt}, in increasing
     * address order (module globals are not included). A snapshot: later calls do not change
     * the returned list. The default throws {@link UnsupportedOperationException}.
     */
    default List<AddressRange> allocations() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not list its allocations");
    }

    /**
     * The {@link ChunkHash} digest of each {@code chunkSize}-byte chunk of {@code [address, address + bytes)},
     * the last chunk being shorter when {@code bytes} is not a multiple of {@code chunkSize}.
     * Pre-copy compares these digests between rounds to find the chunks that changed, and the
     * target of a migration compares them with the digests of what it received, so every
     * implementation must compute exactly this function. Blocking, like {@link #copyDtoH}: it
     * sees all earlier work of the context. The default is {@link #chunkDigests}' hashes.
     */
    default long[] chunkHashes(long address, long bytes, int chunkSize) throws CudaException {
        return chunkDigests(address, bytes, chunkSize).hashes();
    }

    /**
     * As {@link #chunkHashes}, and which chunks hold only zero bytes, so that a transfer can
     * send those as markers without reading them to the host. Blocking. The default copies each
     * chunk to the host and hashes and tests it there; the CUDA backend runs
     * {@link KernelChunkHasher} on the GPU instead.
     *
     * @throws CudaException {@code CUDA_ERROR_INVALID_VALUE} when {@code bytes} is negative,
     *                       {@code chunkSize} is not positive or the chunks exceed {@code Integer.MAX_VALUE - 8}
     */
    default ChunkDigests chunkDigests(long address, long bytes, int chunkSize) throws CudaException {
        if (bytes < 0 || chunkSize <= 0) {
            throw new CudaException(CuResult.INVALID_VALUE,
                    "chunkHashes of " + bytes + " bytes in chunks of " + chunkSize + ": both must be positive");
        }
        long count = (bytes + chunkSize - 1) / chunkSize;
        if (count > Integer.MAX_VALUE - 8) {
            throw new CudaException(CuResult.INVALID_VALUE, count + " chunks exceed the maximum " + (Integer.MAX_VALUE - 8));
        }
        long[] hashes = new long[(int) count];
        BitSet zero = new BitSet(hashes.length);
        try (Arena arena = Arena.ofConfined()) {
            long bufferSize = Math.min(chunkSize, Math.max(bytes, 1));
            MemorySegment buffer = arena.allocate(bufferSize, 64);
            MemorySegment zeros = arena.allocate(bufferSize, 64);
            for (int i = 0; i < hashes.length; i++) {
                long offset = (long) i * chunkSize;
                int length = (int) Math.min(chunkSize, bytes - offset);
                MemorySegment slice = buffer.asSlice(0, length);
                copyDtoH(slice, address + offset, null);
                hashes[i] = ChunkHash.of(slice);
                if (MemorySegment.mismatch(slice, 0, length, zeros, 0, length) == -1) {
                    zero.set(i);
                }
            }
        }
        return new ChunkDigests(hashes, zero);
    }

    /**
     * Whether {@link #chunkDigests} runs on the device and brings only the digests to the host,
     * so that asking for them first costs little next to reading the memory. The default is false.
     */
    default boolean digestsOnDevice() {
        return false;
    }

    /** Free and total device memory, in bytes. */
    MemInfo memInfo() throws CudaException;

    /** The allocation (or module global) that contains {@code dptr}. */
    AddressRange addressRange(long dptr) throws CudaException;

    /**
     * Copies {@code src.byteSize()} bytes from host memory to {@code dst}. The backend has
     * finished reading {@code src} when this returns (the caller may reuse the buffer).
     */
    void copyHtoD(long dst, MemorySegment src, DeviceStream stream) throws CudaException;

    /**
     * As {@link #copyHtoD} on the default stream, and blocking: the bytes are on the device when
     * it returns. The one exception to this interface's single-thread rule: several threads may
     * call this method at once (a migration target applies chunks on several threads), to
     * disjoint destinations, while no other method of the backend runs; the caller orders these
     * calls against all others (a happens-before edge both ways). The default serializes the
     * calls on the backend and does a plain {@link #copyHtoD}; the CUDA backend copies on each
     * thread's own stream, the emulator copies in parallel. Segments that {@link #registerHost}
     * pinned go by DMA without staging.
     */
    default void copyHtoDConcurrently(long dst, MemorySegment src) throws CudaException {
        synchronized (this) {
            copyHtoD(dst, src, null);
            synchronize();
        }
    }

    /**
     * Copies {@code dst.byteSize()} bytes from {@code src} to host memory. Blocking: returns
     * when {@code dst} holds the data, after all earlier work on {@code stream}.
     */
    void copyDtoH(MemorySegment dst, long src, DeviceStream stream) throws CudaException;

    void copyDtoD(long dst, long src, long bytes, DeviceStream stream) throws CudaException;

    /**
     * Pins host memory that many copies will use (a shared-memory window), so that copies from
     * and into it need no staging; CUDA does this with {@code cuMemHostRegister}. The default
     * does nothing: a backend that copies with the CPU needs no pinning.
     */
    default void registerHost(MemorySegment host) throws CudaException {
    }

    /** Undoes {@link #registerHost}; the default does nothing. */
    default void unregisterHost(MemorySegment host) throws CudaException {
    }

    /** Sets {@code count} elements of {@code elementSize} (1, 2 or 4) bytes to {@code value}'s low bytes. */
    void memset(long dst, int value, int elementSize, long count, DeviceStream stream) throws CudaException;

    /** Loads a module from PTX text, a fat binary or a cubin; {@code CUDA_ERROR_INVALID_IMAGE} and friends on bad input. */
    DeviceModule loadModule(byte[] image) throws CudaException;

    /**
     * Loads a module whose globals the backend places itself, in one block of device memory that
     * {@link #moduleGlobals} names: at exactly {@code globalsAt} when it is non-zero (a restore or
     * a migration target re-creating a module where it was, so that pointers to its globals stay
     * valid), else where the backend chooses. The block holds the module's initial values; a
     * restore writes the contents it saved over them. {@code CUDA_ERROR_INVALID_VALUE} when the
     * block cannot lie at {@code globalsAt}. A backend that cannot place this image's globals
     * loads it as {@link #loadModule(byte[])} does when {@code globalsAt} is 0, and throws
     * {@code CUDA_ERROR_NOT_SUPPORTED} otherwise; the default does exactly that for every image.
     */
    default DeviceModule loadModule(byte[] image, long globalsAt) throws CudaException {
        if (globalsAt != 0) {
            throw new CudaException(CuResult.NOT_SUPPORTED, getClass().getSimpleName()
                    + " cannot place a module's globals at 0x" + Long.toHexString(globalsAt));
        }
        return loadModule(image);
    }

    /**
     * The block of device memory holding the module's globals (what a snapshot saves and a
     * restore re-creates at the same address), or null when there is none: the module has no
     * globals, or the device placed them itself (then they lie elsewhere after a restore, and
     * only their addresses passing through the API can be translated). The default is null.
     */
    default AddressRange moduleGlobals(DeviceModule module) throws CudaException {
        return null;
    }

    void unloadModule(DeviceModule module) throws CudaException;

    /** {@code CUDA_ERROR_NOT_FOUND} when the module has no such kernel. */
    DeviceFunction function(DeviceModule module, String name) throws CudaException;

    /** A module-scope variable ({@code .global} or {@code .const}); {@code CUDA_ERROR_NOT_FOUND} when absent. */
    AddressRange global(DeviceModule module, String name) throws CudaException;

    /** A {@code CUfunction_attribute}, as {@code cuFuncGetAttribute} returns it. */
    int functionAttribute(DeviceFunction function, int attribute) throws CudaException;

    void setFunctionAttribute(DeviceFunction function, int attribute, int value) throws CudaException;

    /**
     * Launches a kernel. {@code params} is the packed parameter buffer laid out as
     * {@link DeviceFunction#params()} says; the backend has copied it when this returns.
     * Configuration errors throw here; execution errors may surface here or at the next
     * synchronizing call, as on CUDA.
     */
    void launch(DeviceFunction function, LaunchConfig config, MemorySegment params, DeviceStream stream)
            throws CudaException;

    DeviceStream createStream(int flags, int priority) throws CudaException;

    void destroyStream(DeviceStream stream) throws CudaException;

    /** Blocking: returns when all work on the stream has finished. */
    void synchronize(DeviceStream stream) throws CudaException;

    /** True when all work on the stream has finished. */
    boolean query(DeviceStream stream) throws CudaException;

    /** Makes future work on {@code stream} wait for the event's last record. */
    void waitEvent(DeviceStream stream, DeviceEvent event) throws CudaException;

    DeviceEvent createEvent(int flags) throws CudaException;

    void destroyEvent(DeviceEvent event) throws CudaException;

    void record(DeviceEvent event, DeviceStream stream) throws CudaException;

    /** Blocking: returns when the work before the event's last record has finished. */
    void synchronize(DeviceEvent event) throws CudaException;

    boolean query(DeviceEvent event) throws CudaException;

    /** Milliseconds between two recorded, completed events. */
    float elapsedMillis(DeviceEvent start, DeviceEvent end) throws CudaException;

    /** Blocking: returns when all work of this context has finished. */
    void synchronize() throws CudaException;

    /** Releases every allocation, module, stream and event; the backend is unusable afterwards. */
    @Override
    void close();
}
