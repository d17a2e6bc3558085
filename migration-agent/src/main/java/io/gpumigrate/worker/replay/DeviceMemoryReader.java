package io.gpumigrate.worker.replay;

import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceBackend;
import net.jpountz.xxhash.StreamingXXHash64;
import net.jpountz.xxhash.XXHashFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads replayed device memory back: hashes allocations and module globals (xxHash64 of their
 * bytes) and writes
 * contents out, a chunk at a time through one native staging buffer. Stateless.
 */
public final class DeviceMemoryReader {

    private static final int CHUNK = 4 << 20;
    private static final XXHashFactory HASHES = XXHashFactory.fastestJavaInstance();

    /** One allocation's hash. */
    public record AllocationHash(Allocation allocation, long hash) {
    }

    private DeviceMemoryReader() {
    }

    /** The hash of every live allocation, in allocation order. Synchronizes the device first. */
    public static List<AllocationHash> hashLive(DeviceBackend backend, AllocationTracker allocations)
            throws CudaException {
        List<Allocation> live = allocations.live();
        long[] hashes = hash(backend, live.stream().mapToLong(Allocation::base).toArray(),
                live.stream().mapToLong(Allocation::bytes).toArray());
        List<AllocationHash> result = new ArrayList<>();
        for (int i = 0; i < live.size(); i++) {
            result.add(new AllocationHash(live.get(i), hashes[i]));
        }
        return result;
    }

    /** The hash of every module global looked up, in lookup order. Synchronizes the device first. */
    public static long[] hashGlobals(DeviceBackend backend, AllocationTracker allocations) throws CudaException {
        List<ModuleGlobal> globals = allocations.globals();
        return hash(backend, globals.stream().mapToLong(ModuleGlobal::base).toArray(),
                globals.stream().mapToLong(ModuleGlobal::bytes).toArray());
    }

    /** xxHash64 of each range {@code [bases[i], bases[i] + sizes[i])}. */
    private static long[] hash(DeviceBackend backend, long[] bases, long[] sizes) throws CudaException {
        backend.synchronize();
        long[] hashes = new long[bases.length];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment staging = arena.allocate(CHUNK);
            byte[] bytes = new byte[CHUNK];
            for (int r = 0; r < bases.length; r++) {
                StreamingXXHash64 hash = HASHES.newStreamingHash64(0);
                for (long off = 0; off < sizes[r]; off += CHUNK) {
                    int n = (int) Math.min(CHUNK, sizes[r] - off);
                    backend.copyDtoH(staging.asSlice(0, n), bases[r] + off, null);
                    MemorySegment.copy(staging, ValueLayout.JAVA_BYTE, 0, bytes, 0, n);
                    hash.update(bytes, 0, n);
                }
                hashes[r] = hash.getValue();
            }
        }
        return hashes;
    }

    /** Writes allocation {@code a}'s bytes to {@code out}. Synchronizes the device first. */
    public static void dump(DeviceBackend backend, Allocation a, OutputStream out) throws CudaException, IOException {
        backend.synchronize();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment staging = arena.allocate(CHUNK);
            byte[] bytes = new byte[CHUNK];
            for (long off = 0; off < a.bytes(); off += CHUNK) {
                int n = (int) Math.min(CHUNK, a.bytes() - off);
                backend.copyDtoH(staging.asSlice(0, n), a.base() + off, null);
                MemorySegment.copy(staging, ValueLayout.JAVA_BYTE, 0, bytes, 0, n);
                out.write(bytes, 0, n);
            }
        }
    }
}
