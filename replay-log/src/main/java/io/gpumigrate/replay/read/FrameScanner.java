package io.gpumigrate.replay.read;

import io.gpumigrate.replay.format.BlockHeader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads and classifies the block frame at a position of a segment. Not thread-safe.
 *
 * <p>A frame that ends past the end of the file, a header cut short, a header of zeros up to
 * the end of the file, or a last block whose body CRC is wrong are <em>incomplete</em>: what a
 * crash during a write leaves. A wrong header CRC or a wrong body CRC with bytes after it is
 * <em>corrupt</em>: the file changed after it was written.
 */
final class FrameScanner {

    enum Kind { VALID, END, INCOMPLETE, CORRUPT }

    /** What is at a position: a valid frame (header, and body when asked for), or why not. */
    record Frame(Kind kind, BlockHeader header, byte[] body, String reason) {
    }

    private final FileChannel channel;
    private final long size;
    private final byte[] headerBytes = new byte[BlockHeader.LENGTH];

    FrameScanner(FileChannel channel, long size) {
        this.channel = channel;
        this.size = size;
    }

    long size() {
        return size;
    }

    /** The frame at {@code pos}; its body is read and checked only when {@code withBody}. */
    Frame at(long pos, boolean withBody) throws IOException {
        if (pos == size) {
            return new Frame(Kind.END, null, null, "");
        }
        if (size - pos < BlockHeader.LENGTH) {
            return new Frame(Kind.INCOMPLETE, null, null, "block header cut short: " + (size - pos) + " of "
                    + BlockHeader.LENGTH + " bytes");
        }
        readFully(ByteBuffer.wrap(headerBytes), pos);
        BlockHeader h = BlockHeader.decode(headerBytes, 0);
        if (h == null) {
            if (zerosToEnd(pos)) {
                return new Frame(Kind.INCOMPLETE, null, null, "zeros where a block header should be");
            }
            return new Frame(Kind.CORRUPT, null, null, "block header CRC32C mismatch or impossible field");
        }
        long end = pos + h.frameLength();
        if (end > size) {
            return new Frame(Kind.INCOMPLETE, h, null, "block of " + h.frameLength() + " bytes cut short at "
                    + (size - pos) + " bytes");
        }
        if (!withBody) {
            return new Frame(Kind.VALID, h, null, "");
        }
        byte[] body = new byte[h.bodyLength()];
        readFully(ByteBuffer.wrap(body), pos + BlockHeader.LENGTH);
        if (BlockHeader.bodyCrc(body, 0, body.length) != h.bodyCrc()) {
            if (end == size) {
                return new Frame(Kind.INCOMPLETE, h, null, "last block's body CRC32C does not match");
            }
            return new Frame(Kind.CORRUPT, h, null, "block body CRC32C does not match (seq " + h.firstSeq() + ".."
                    + h.lastSeq() + ")");
        }
        return new Frame(Kind.VALID, h, body, "");
    }

    private boolean zerosToEnd(long pos) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(64 << 10);
        long at = pos;
        while (at < size) {
            buf.clear().limit((int) Math.min(buf.capacity(), size - at));
            readFully(buf, at);
            for (int i = 0; i < buf.limit(); i++) {
                if (buf.get(i) != 0) {
                    return false;
                }
            }
            at += buf.limit();
        }
        return true;
    }

    private void readFully(ByteBuffer buf, long pos) throws IOException {
        long at = pos;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, at);
            if (n < 0) {
                throw new IOException("unexpected end of file at " + at);
            }
            at += n;
        }
    }
}
