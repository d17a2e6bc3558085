package io.gpumigrate.checkpoint;

import java.lang.foreign.MemorySegment;

/**
 * One chunk of device memory as it is stored or sent.
 *
 * @param address    the device address of the chunk's first byte
 * @param rawLength  bytes of device memory the chunk covers (the chunk size, or less for an allocation's last chunk)
 * @param encoding   how {@code payload} represents the raw bytes
 * @param hash       the chunk digest ({@link io.gpumigrate.device.ChunkHash}) of the raw bytes, checked after decoding
 * @param payload    the encoded bytes: empty for {@link ChunkEncoding#ZERO}. Not owned by this
 *                   record: it is a view of a buffer whose owner says how long it stays valid.
 */
public record EncodedChunk(long address, int rawLength, ChunkEncoding encoding, long hash, MemorySegment payload) {

    /** Bytes of the payload. */
    public long payloadLength() {
        return payload.byteSize();
    }
}
