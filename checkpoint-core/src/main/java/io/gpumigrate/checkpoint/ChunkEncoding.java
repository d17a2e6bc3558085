package io.gpumigrate.checkpoint;

/** How a chunk's payload represents its raw bytes; the code is what the image and the wire carry. */
public enum ChunkEncoding {
    /** Every raw byte is zero; no payload. */
    ZERO(0),
    /** The payload is the raw bytes. */
    RAW(1),
    /** The payload is one zstd frame of the raw bytes. */
    ZSTD(2);

    private final int code;

    ChunkEncoding(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The encoding with this code; {@link IllegalArgumentException} naming the code otherwise. */
    public static ChunkEncoding ofCode(int code) {
        return switch (code) {
            case 0 -> ZERO;
            case 1 -> RAW;
            case 2 -> ZSTD;
            default -> throw new IllegalArgumentException("unknown chunk encoding " + code + ", expected 0 to 2");
        };
    }
}
