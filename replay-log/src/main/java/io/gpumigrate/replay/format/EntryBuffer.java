package io.gpumigrate.replay.format;

import io.netty.buffer.ByteBuf;

import java.util.Arrays;

/**
 * A growable byte array that encodes log entries (layout in {@link EntryCursor}). Not
 * thread-safe: one owner at a time.
 */
public final class EntryBuffer {

    /** Bytes of a call entry before its inline body. */
    public static final int CALL_HEADER = 22;
    /** Bytes of a status entry. */
    public static final int STATUS_LENGTH = 13;
    /** Bytes of a result entry before its results. */
    public static final int RESULT_HEADER = 13;
    /** Bytes of a gap entry. */
    public static final int GAP_LENGTH = 25;

    private byte[] bytes;
    private int length;

    public EntryBuffer(int initialCapacity) {
        bytes = new byte[Math.max(64, initialCapacity)];
    }

    public byte[] array() {
        return bytes;
    }

    public int length() {
        return length;
    }

    public void clear() {
        length = 0;
    }

    /** Appends a call whose body (or the inline part of it) is {@code body[from, from + n)}. */
    public void putCall(int kind, long seq, int opCode, int flags, boolean hasStatus, int status,
                        ByteBuf body, int from, int n) {
        int at = reserve(CALL_HEADER + n);
        putCallHeader(at, kind, seq, opCode, flags, hasStatus, status, n);
        body.getBytes(from, bytes, at + CALL_HEADER, n);
    }

    /** As {@link #putCall(int, long, int, int, boolean, int, ByteBuf, int, int)}, from an array. */
    public void putCall(int kind, long seq, int opCode, int flags, boolean hasStatus, int status,
                        byte[] body, int from, int n) {
        int at = reserve(CALL_HEADER + n);
        putCallHeader(at, kind, seq, opCode, flags, hasStatus, status, n);
        System.arraycopy(body, from, bytes, at + CALL_HEADER, n);
    }

    private void putCallHeader(int at, int kind, long seq, int opCode, int flags, boolean hasStatus, int status,
                               int inlineLength) {
        bytes[at] = (byte) kind;
        LittleEndian.putI64(bytes, at + 1, seq);
        LittleEndian.putU16(bytes, at + 9, opCode);
        LittleEndian.putU16(bytes, at + 11, flags);
        bytes[at + 13] = (byte) (hasStatus ? 1 : 0);
        LittleEndian.putI32(bytes, at + 14, status);
        LittleEndian.putI32(bytes, at + 18, inlineLength);
    }

    /** Appends the trailer of a {@link EntryCursor#CALL_BLOB} entry. */
    public void putBlobTrailer(long hash, long blobLength) {
        int at = reserve(16);
        LittleEndian.putI64(bytes, at, hash);
        LittleEndian.putI64(bytes, at + 8, blobLength);
    }

    /** Appends the trailer of a {@link EntryCursor#PENDING_BLOB} entry. */
    public void putAttachmentIndex(int index) {
        int at = reserve(4);
        LittleEndian.putI32(bytes, at, index);
    }

    public void putStatus(long seq, int status) {
        int at = reserve(STATUS_LENGTH);
        bytes[at] = EntryCursor.STATUS;
        LittleEndian.putI64(bytes, at + 1, seq);
        LittleEndian.putI32(bytes, at + 9, status);
    }

    /** A RESULT entry: {@code results[offset, offset + n)} of the reply to call {@code seq}. */
    public void putResult(long seq, byte[] results, int offset, int n) {
        int at = reserve(RESULT_HEADER + n);
        bytes[at] = EntryCursor.RESULT;
        LittleEndian.putI64(bytes, at + 1, seq);
        LittleEndian.putI32(bytes, at + 9, n);
        System.arraycopy(results, offset, bytes, at + RESULT_HEADER, n);
    }

    public void putGap(long firstSeq, long lastSeq, long count) {
        int at = reserve(GAP_LENGTH);
        bytes[at] = EntryCursor.GAP;
        LittleEndian.putI64(bytes, at + 1, firstSeq);
        LittleEndian.putI64(bytes, at + 9, lastSeq);
        LittleEndian.putI64(bytes, at + 17, count);
    }

    /** Appends raw bytes, for re-encoding an entry unchanged. */
    public void putBytes(byte[] src, int from, int n) {
        int at = reserve(n);
        System.arraycopy(src, from, bytes, at, n);
    }

    private int reserve(int n) {
        int at = length;
        int need = at + n;
        if (need > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(need, bytes.length * 2));
        }
        length = need;
        return at;
    }
}
