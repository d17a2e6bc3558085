package io.gpumigrate.protocol;

/** Validation of the header fields every receiver checks before it trusts a frame. Thread-safe (stateless). */
public final class FrameLimits {

    private FrameLimits() {
    }

    /**
     * Checks the length field (read as an unsigned u32).
     *
     * @throws MalformedFrameException when it is below 12 or above {@link WireFormat#MAX_FRAME_LENGTH}
     */
    public static int checkLength(long length) {
        if (length < WireFormat.HEADER_AFTER_LENGTH || length > WireFormat.MAX_FRAME_LENGTH) {
            throw new MalformedFrameException("frame length " + length + " outside the allowed range ["
                    + WireFormat.HEADER_AFTER_LENGTH + ", " + WireFormat.MAX_FRAME_LENGTH + "]");
        }
        return (int) length;
    }

    /**
     * Checks the flags field (read as an unsigned u16).
     *
     * @throws MalformedFrameException when a reserved bit (any but REPLY_WANTED) is set
     */
    public static int checkFlags(int flags) {
        int reserved = flags & ~WireFormat.FLAG_REPLY_WANTED;
        if (reserved != 0) {
            throw new MalformedFrameException(String.format(
                    "frame flags 0x%04x set reserved bits 0x%04x; only bit 0 (REPLY_WANTED) is defined",
                    flags, reserved));
        }
        return flags;
    }
}
