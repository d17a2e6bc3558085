package io.gpumigrate.protocol;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.netty.buffer.ByteBuf;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads the value encodings of docs/wire-protocol.md from a frame body, checking bounds before
 * every read. A body too short for what its operation needs, or a {@code str} that is not
 * UTF-8, is the client's error: it surfaces as a {@link CudaException} with
 * {@code CUDA_ERROR_INVALID_VALUE} and a message naming the field, never as an
 * {@link IndexOutOfBoundsException}.
 *
 * <p>Borrows the buffer: reads move its reader index, nothing is released. Trailing bytes are
 * ignored (formats only gain fields). Not thread-safe.
 */
public final class BodyReader {

    private final ByteBuf body;
    private final String what;

    /**
     * @param body the body to read, from its reader index
     * @param what names the body in error messages, e.g. the operation
     */
    public BodyReader(ByteBuf body, Object what) {
        this.body = body;
        this.what = String.valueOf(what);
    }

    public int u8() throws CudaException {
        need(1, "u8");
        return body.readUnsignedByte();
    }

    public int u16() throws CudaException {
        need(2, "u16");
        return body.readUnsignedShortLE();
    }

    /** An unsigned u32, widened to a long. */
    public long u32() throws CudaException {
        need(4, "u32");
        return body.readUnsignedIntLE();
    }

    public int i32() throws CudaException {
        need(4, "i32");
        return body.readIntLE();
    }

    /** A u64, as Java's (two's complement) long: compare with {@link Long#compareUnsigned} where it matters. */
    public long u64() throws CudaException {
        need(8, "u64");
        return body.readLongLE();
    }

    public float f32() throws CudaException {
        need(4, "f32");
        return body.readFloatLE();
    }

    /** A {@code str}: a u32 byte length, then that many UTF-8 bytes. */
    public String str() throws CudaException {
        long length = u32();
        if (length > body.readableBytes()) {
            throw invalid("str of " + length + " bytes but only " + body.readableBytes() + " remain");
        }
        ByteBuf bytes = body.readSlice((int) length);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes.nioBuffer()).toString();
        } catch (CharacterCodingException e) {
            throw invalid("str of " + length + " bytes is not valid UTF-8");
        }
    }

    /** The next {@code length} bytes as a slice borrowed from the body. */
    public ByteBuf bytes(long length) throws CudaException {
        if (length < 0 || length > body.readableBytes()) {
            throw invalid(Long.toUnsignedString(length) + " bytes wanted but only "
                    + body.readableBytes() + " remain");
        }
        return body.readSlice((int) length);
    }

    /** The rest of the body ({@code bytes} encoding) as a slice borrowed from the body. */
    public ByteBuf rest() {
        return body.readSlice(body.readableBytes());
    }

    public int remaining() {
        return body.readableBytes();
    }

    private void need(int bytes, String type) throws CudaException {
        if (body.readableBytes() < bytes) {
            throw invalid("body too short for a " + type + ": " + body.readableBytes() + " of "
                    + bytes + " bytes remain");
        }
    }

    private CudaException invalid(String detail) {
        return new CudaException(CuResult.INVALID_VALUE, what + ": " + detail);
    }
}
