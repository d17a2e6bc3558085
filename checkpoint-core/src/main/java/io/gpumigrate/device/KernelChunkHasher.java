package io.gpumigrate.device;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.BitSet;

/**
 * Computes {@link ChunkDigests} on the device itself with the kernels of
 * {@code src/main/cuda/chunk_digest.cu} (loaded from the PTX resource), so that only 12 bytes
 * per chunk cross to the host: the CUDA backend hashes at memory bandwidth instead of copying
 * everything out first, and the emulator runs the very same PTX (which is how the kernels are
 * tested without a GPU). Works on any {@link DeviceBackend} that runs PTX.
 *
 * <p>Each call allocates its scratch memory (12 bytes per 16 KiB plus 12 per chunk) with
 * {@link DeviceBackend#memAlloc} and frees it before returning, so the backend's allocation
 * list is unchanged between calls. Not thread-safe: call it from the backend's thread, as
 * every other backend call.
 */
public final class KernelChunkHasher implements AutoCloseable {

    /** Resource path of the generated PTX. */
    public static final String PTX_RESOURCE = "/io/gpumigrate/device/chunk_digest.ptx";

    private static final int THREADS = 128;
    private static final int SEGMENT_PARAMS = 7;
    private static final int CHUNK_PARAMS = 8;

    /**
     * Device memory for the kernels' intermediate results during one {@link #digests} call.
     * The default allocates and frees it through the backend each call; a backend whose
     * allocations are costly (CUDA: mapping and unmapping pages of its address window, a
     * synchronization) keeps one buffer instead, outside the memory a session owns.
     */
    public interface Scratch {
        /** Device memory of at least {@code bytes} bytes, for the caller alone until {@link #give}. */
        long take(long bytes) throws CudaException;

        /** Ends the use of what {@link #take} returned. */
        void give(long address) throws CudaException;

        /** Per call, through {@code device}'s own allocations. */
        static Scratch perCall(DeviceBackend device) {
            return new Scratch() {
                @Override
                public long take(long bytes) throws CudaException {
                    return device.memAlloc(bytes);
                }

                @Override
                public void give(long address) throws CudaException {
                    device.memFree(address);
                }
            };
        }
    }

    private final DeviceBackend device;
    private final Scratch scratch;
    private final DeviceModule module;
    private final DeviceFunction segmentDigests;
    private final DeviceFunction chunkDigests;

    private KernelChunkHasher(DeviceBackend device, Scratch scratch, DeviceModule module) throws CudaException {
        this.device = device;
        this.scratch = scratch;
        this.module = module;
        this.segmentDigests = device.function(module, "segment_digests");
        this.chunkDigests = device.function(module, "chunk_digests");
    }

    /** Loads the kernels into {@code device}, with {@link Scratch#perCall} scratch; the module stays loaded until {@link #close}. */
    public static KernelChunkHasher load(DeviceBackend device) throws CudaException {
        return load(device, Scratch.perCall(device));
    }

    /** Loads the kernels into {@code device}, their scratch from {@code scratch}; the module stays loaded until {@link #close}. */
    public static KernelChunkHasher load(DeviceBackend device, Scratch scratch) throws CudaException {
        DeviceModule module = device.loadModule(ptx());
        try {
            return new KernelChunkHasher(device, scratch, module);
        } catch (CudaException | RuntimeException e) {
            device.unloadModule(module);
            throw e;
        }
    }

    /** The PTX text, NUL-terminated as {@code cuModuleLoadData} wants it. */
    public static byte[] ptx() {
        try (InputStream in = KernelChunkHasher.class.getResourceAsStream(PTX_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + PTX_RESOURCE + " is missing from the class path");
            }
            byte[] text = in.readAllBytes();
            byte[] terminated = new byte[text.length + 1];
            System.arraycopy(text, 0, terminated, 0, text.length);
            return terminated;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + PTX_RESOURCE, e);
        }
    }

    /** Whether the kernels handle this range: both the address and the chunk size multiples of 8. */
    public static boolean accepts(long address, long bytes, int chunkSize) {
        return bytes > 0 && chunkSize > 0 && address % 8 == 0 && chunkSize % 8 == 0;
    }

    /**
     * The digests and zero flags of each {@code chunkSize}-byte chunk of {@code [address, address + bytes)},
     * equal to what {@link DeviceBackend#chunkDigests}'s CPU default computes. Blocking.
     *
     * @throws CudaException {@code CUDA_ERROR_INVALID_VALUE} when {@link #accepts} is false or the
     *                       chunk count exceeds {@code Integer.MAX_VALUE - 8}
     */
    public ChunkDigests digests(long address, long bytes, int chunkSize) throws CudaException {
        if (!accepts(address, bytes, chunkSize)) {
            throw new CudaException(CuResult.INVALID_VALUE, String.format(
                    "kernel chunk digests need a positive length and an address and chunk size that are multiples "
                            + "of 8; got 0x%x, %d bytes, chunks of %d", address, bytes, chunkSize));
        }
        long chunks = (bytes + chunkSize - 1) / chunkSize;
        if (chunks > Integer.MAX_VALUE - 8) {
            throw new CudaException(CuResult.INVALID_VALUE, chunks + " chunks exceed the maximum " + (Integer.MAX_VALUE - 8));
        }
        long perChunk = (chunkSize + (long) ChunkHash.SEGMENT - 1) / ChunkHash.SEGMENT;
        long segments = chunks * perChunk;
        long segDigests = 0;
        long segNonzero = segDigests + segments * 8;
        long digestsAt = align8(segNonzero + segments * 4);
        long zeroAt = digestsAt + chunks * 8;
        long scratchBytes = zeroAt + chunks * 4;
        long scratch = this.scratch.take(scratchBytes);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = arena.allocate(CHUNK_PARAMS * 8L, 8);
            long[] segmentArgs = {address, bytes, chunkSize, perChunk, segments, scratch + segDigests, scratch + segNonzero};
            MemorySegment.copy(segmentArgs, 0, params, JAVA_LONG, 0, SEGMENT_PARAMS);
            device.launch(segmentDigests, grid(segments), params.asSlice(0, SEGMENT_PARAMS * 8L), null);
            long[] chunkArgs = {scratch + segDigests, scratch + segNonzero, bytes, chunkSize, perChunk, chunks,
                    scratch + digestsAt, scratch + zeroAt};
            MemorySegment.copy(chunkArgs, 0, params, JAVA_LONG, 0, CHUNK_PARAMS);
            device.launch(chunkDigests, grid(chunks), params, null);
            MemorySegment result = arena.allocate(chunks * 12, 8);
            device.copyDtoH(result, scratch + digestsAt, null);
            long[] hashes = result.asSlice(0, chunks * 8).toArray(JAVA_LONG);
            BitSet zero = new BitSet((int) chunks);
            for (int i = 0; i < chunks; i++) {
                if (result.get(JAVA_INT, chunks * 8 + i * 4L) != 0) {
                    zero.set(i);
                }
            }
            return new ChunkDigests(hashes, zero);
        } finally {
            this.scratch.give(scratch);
        }
    }

    private static LaunchConfig grid(long threads) {
        long blocks = (threads + THREADS - 1) / THREADS;
        if (blocks > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(threads + " threads exceed one grid's x dimension");
        }
        return new LaunchConfig((int) blocks, 1, 1, THREADS, 1, 1, 0);
    }

    private static long align8(long offset) {
        return (offset + 7) & ~7L;
    }

    @Override
    public void close() throws CudaException {
        device.unloadModule(module);
    }
}
