package io.gpumigrate.protocol;

/** Constants of the frame format (docs/wire-protocol.md). */
public final class WireFormat {

    /** "GMIG" as bytes 47 4D 49 47, read as a little-endian u32. */
    public static final int MAGIC = 0x47494D47;
    public static final int VERSION_MAJOR = 1;
    public static final int VERSION_MINOR = 0;

    /** Bytes of the header after the length field: op, flags, seq. */
    public static final int HEADER_AFTER_LENGTH = 12;
    /** The largest copy a single call carries; larger copies are split. */
    public static final int MAX_COPY_CHUNK = 16 << 20;
    /** The largest value the length field may hold. */
    public static final int MAX_FRAME_LENGTH = HEADER_AFTER_LENGTH + MAX_COPY_CHUNK + 4096;

    public static final int FLAG_REPLY_WANTED = 1;

    /** CTX_CREATE flag bit marking the primary context. */
    public static final int CTX_FLAG_PRIMARY = 0x80000000;

    private WireFormat() {
    }
}
