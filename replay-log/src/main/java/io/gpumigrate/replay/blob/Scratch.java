package io.gpumigrate.replay.blob;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;

import java.nio.ByteBuffer;

/**
 * What one {@link BlobStore#store} call compresses with: a zstd context and reusable arrays.
 * Used by one thread at a time (the store keeps spares and lends them).
 */
final class Scratch {

    private static final int SAMPLE_BYTES = 64 << 10;
    private static final double WORTH_COMPRESSING = 0.9;

    final ZstdCompressCtx compressor = new ZstdCompressCtx();
    private byte[] copy = new byte[0];
    private byte[] packed = new byte[0];

    /** Whether zstd level 1 shrinks a sample of the payload's first 64 KiB by at least 10%. */
    boolean worthCompressing(ByteBuffer payload) {
        int n = Math.min(SAMPLE_BYTES, payload.remaining());
        byte[] src = arrayOf(payload, n);
        int bound = (int) Zstd.compressBound(n);
        byte[] out = packed(bound);
        int size = compressor.setLevel(1).compressByteArray(out, 0, bound, src, 0, n);
        return size < n * WORTH_COMPRESSING;
    }

    /** An array of at least {@code bound} bytes for compressed output. */
    byte[] packed(int bound) {
        if (packed.length < bound) {
            packed = new byte[bound];
        }
        return packed;
    }

    /** The payload's first {@code n} bytes in an array from index 0: its own array when it has one, else a reused copy. */
    byte[] arrayOf(ByteBuffer payload, int n) {
        if (payload.hasArray() && payload.arrayOffset() + payload.position() == 0) {
            return payload.array();
        }
        if (copy.length < n) {
            copy = new byte[n];
        }
        payload.duplicate().get(copy, 0, n);
        return copy;
    }
}
