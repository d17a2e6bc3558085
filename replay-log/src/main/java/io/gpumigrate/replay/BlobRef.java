package io.gpumigrate.replay;

import java.util.HexFormat;

/**
 * Names a payload kept once in the log's blob store: its xxHash64 (seed 0) and length. Two
 * payloads with the same hash and length are taken to be the same payload.
 */
public record BlobRef(long hash, long length) {

    public BlobRef {
        if (length < 0) {
            throw new IllegalArgumentException("blob length " + length + " is negative");
        }
    }

    /** The hash as 16 lowercase hex digits. */
    public String hashHex() {
        return HexFormat.of().toHexDigits(hash);
    }

    @Override
    public String toString() {
        return hashHex() + "/" + length;
    }
}
