package io.gpumigrate.protocol;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * Writes the value encodings of docs/wire-protocol.md to a buffer, fluently:
 * {@code new BodyWriter(buf).u64(session).str(host).u16(port)}. Borrows the buffer (the caller
 * owns it). Not thread-safe.
 */
public final class BodyWriter {

    private final ByteBuf out;

    public BodyWriter(ByteBuf out) {
        this.out = out;
    }

    public BodyWriter u8(int value) {
        out.writeByte(value);
        return this;
    }

    public BodyWriter u16(int value) {
        out.writeShortLE(value);
        return this;
    }

    public BodyWriter u32(long value) {
        out.writeIntLE((int) value);
        return this;
    }

    public BodyWriter i32(int value) {
        out.writeIntLE(value);
        return this;
    }

    public BodyWriter u64(long value) {
        out.writeLongLE(value);
        return this;
    }

    public BodyWriter f32(float value) {
        out.writeFloatLE(value);
        return this;
    }

    /** A u32 byte length, then the UTF-8 bytes. */
    public BodyWriter str(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeIntLE(bytes.length);
        out.writeBytes(bytes);
        return this;
    }

    public BodyWriter bytes(byte[] value) {
        out.writeBytes(value);
        return this;
    }

    /** Copies {@code value}'s readable bytes without moving its reader index. */
    public BodyWriter bytes(ByteBuf value) {
        out.writeBytes(value, value.readerIndex(), value.readableBytes());
        return this;
    }

    /** The buffer written to. */
    public ByteBuf buffer() {
        return out;
    }
}
