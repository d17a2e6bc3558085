package io.gpumigrate.device;

import java.util.BitSet;
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

    public int count() {
        return hashes.length;
    }

    public boolean isZero(int chunk) {
        return zero.get(chunk);
    }
}
