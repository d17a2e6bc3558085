package io.gpumigrate.device;

import java.util.BitSet;
import java.util.List;
import java.util.Objects;

/**
 * The digests of consecutive chunks of device memory ({@link ChunkHash}) and which of them hold
 * only zero bytes, as {@link DeviceBackend#chunkDigests} returns them.
 *
 * @param hashes one digest per chunk, in address order
 * @param zero   bit {@code i} set when chunk {@code i} is all zero bytes (its digest is then
 *               {@link ChunkHash#of} of that many zeros); never set at or beyond {@code hashes.length}
 */
public record ChunkDigests(long[] hashes, BitSet zero) {

    public ChunkDigests {
        Objects.requireNonNull(hashes, "hashes");
        Objects.requireNonNull(zero, "zero");
        if (zero.length() > hashes.length) {
            throw new IllegalArgumentException("zero chunk " + (zero.length() - 1) + " is outside 0 to "
                    + (hashes.length - 1));
        }
    }

    /**
     * Digests one chunk of {@code allocations} where {@code device} digests on the device, and
     * nothing otherwise: a backend that loads its digest kernels on first use (CUDA: a module
     * to JIT-compile, tens of ms) then has them before a pause needs them. Call it where {@code
     * device} may be called; what it digests is not used.
     */
    public static void ready(DeviceBackend device, List<AddressRange> allocations, int chunkSize) throws CudaException {
        if (device.digestsOnDevice() && !allocations.isEmpty()) {
            AddressRange first = allocations.get(0);
            device.chunkDigests(first.base(), Math.min(first.size(), chunkSize), chunkSize);
        }
    }

    public int count() {
        return hashes.length;
    }

    public boolean isZero(int chunk) {
        return zero.get(chunk);
    }
}
