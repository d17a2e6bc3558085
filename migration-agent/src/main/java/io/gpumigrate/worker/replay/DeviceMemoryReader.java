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
 * Reads replayed device memory back: hashes allocations (xxHash64 of their bytes) and writes
 * their contents out, a chunk at a time through one native staging buffer. Stateless.
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
        backend.synchronize();
        List<AllocationHash> hashes = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment staging = arena.allocate(CHUNK);
            byte[] bytes = new byte[CHUNK];
            for (Allocation a : allocations.live()) {
                StreamingXXHash64 hash = HASHES.newStreamingHash64(0);
                for (long off = 0; off < a.bytes(); off += CHUNK) {
                    int n = (int) Math.min(CHUNK, a.bytes() - off);
                    backend.copyDtoH(staging.asSlice(0, n), a.base() + off, null);
                    MemorySegment.copy(staging, ValueLayout.JAVA_BYTE, 0, bytes, 0, n);
                    hash.update(bytes, 0, n);
                }
                hashes.add(new AllocationHash(a, hash.getValue()));
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
