package io.gpumigrate.replay.format;

/**
 * Walks the entries of a decoded block. Each entry starts with a kind byte; little-endian:
 *
 * <pre>
 *  CALL (1)            u64 seq, u16 op, u16 flags, u8 hasStatus, i32 status, u32 n, u8 body[n]
 *  CALL_BLOB (2)       as CALL, body[n] being the inline part (the 16-byte MEMCPY_HTOD header),
 *                      then u64 blobHash, u64 blobLength: the body's tail is in the blob store
 *  STATUS (3)          u64 seq, i32 status: the worker's result for an earlier call
 *  GAP (4)             u64 firstSeq, u64 lastSeq, u64 count: calls the writer had to drop
 *  RESULT (5)          u64 seq, u32 n, u8 results[n]: what the reply to an earlier call returned
 *                      after its status (since format 1.1; allocations' addresses, for replay)
 *  PENDING_BLOB (0x7F) as CALL, then u32 attachment: only in a writer's memory, never on disk
 * </pre>
 *
 * Not thread-safe. {@link #next()} throws {@link IllegalArgumentException} for bytes that are
 * not a well-formed entry, with the reason; callers add the file and offset.
 */
public final class EntryCursor {

    public static final byte CALL = 1;
    public static final byte CALL_BLOB = 2;
    public static final byte STATUS = 3;
    public static final byte GAP = 4;
    public static final byte RESULT = 5;
    public static final byte PENDING_BLOB = 0x7F;

    private final byte[] b;
    private final int end;
    private final boolean allowPending;
    private int pos;

    private int entryStart;
    private int kind;
    private long seq;
    private int opCode;
    private int flags;
    private boolean hasStatus;
    private int status;
    private int inlineOffset;
    private int inlineLength;
    private long blobHash;
    private long blobLength;
    private int attachment;
    private long gapLast;
    private long gapCount;

    /** A cursor over {@code b[offset, offset + length)}; pending-blob entries are refused unless allowed. */
    public EntryCursor(byte[] b, int offset, int length, boolean allowPending) {
        this.b = b;
        this.pos = offset;
        this.end = offset + length;
        this.allowPending = allowPending;
    }

    /** Moves to the next entry; false at the end. */
    public boolean next() {
        if (pos >= end) {
            return false;
        }
        entryStart = pos;
        kind = b[pos];
        switch (kind) {
            case CALL, CALL_BLOB, PENDING_BLOB -> readCall();
            case STATUS -> {
                need(EntryBuffer.STATUS_LENGTH);
                seq = LittleEndian.i64(b, pos + 1);
                status = LittleEndian.i32(b, pos + 9);
                hasStatus = true;
                pos += EntryBuffer.STATUS_LENGTH;
            }
            case GAP -> {
                need(EntryBuffer.GAP_LENGTH);
                seq = LittleEndian.i64(b, pos + 1);
                gapLast = LittleEndian.i64(b, pos + 9);
                gapCount = LittleEndian.i64(b, pos + 17);
                if (gapLast < seq || gapCount < 1) {
                    throw new IllegalArgumentException("gap " + seq + ".." + gapLast + " of " + gapCount + " calls");
                }
                pos += EntryBuffer.GAP_LENGTH;
            }
            case RESULT -> {
                need(EntryBuffer.RESULT_HEADER);
                seq = LittleEndian.i64(b, pos + 1);
                long n = LittleEndian.u32(b, pos + 9);
                if (n > end - pos - EntryBuffer.RESULT_HEADER) {
                    throw new IllegalArgumentException("result of " + n + " bytes runs past the block's end");
                }
                inlineOffset = pos + EntryBuffer.RESULT_HEADER;
                inlineLength = (int) n;
                pos += EntryBuffer.RESULT_HEADER + (int) n;
            }
            default -> throw new IllegalArgumentException("unknown entry kind " + kind);
        }
        return true;
    }

    private void readCall() {
        if (kind == PENDING_BLOB && !allowPending) {
            throw new IllegalArgumentException("entry kind " + kind + " (pending blob) never belongs on disk");
        }
        need(EntryBuffer.CALL_HEADER);
        seq = LittleEndian.i64(b, pos + 1);
        opCode = LittleEndian.u16(b, pos + 9);
        flags = LittleEndian.u16(b, pos + 11);
        hasStatus = b[pos + 13] != 0;
        status = LittleEndian.i32(b, pos + 14);
        long n = LittleEndian.u32(b, pos + 18);
        int trailer = kind == CALL ? 0 : kind == CALL_BLOB ? 16 : 4;
        if (n > end - pos - EntryBuffer.CALL_HEADER - trailer) {
            throw new IllegalArgumentException("call body of " + n + " bytes runs past the block's end");
        }
        inlineOffset = pos + EntryBuffer.CALL_HEADER;
        inlineLength = (int) n;
        pos = inlineOffset + inlineLength;
        if (kind == CALL_BLOB) {
            blobHash = LittleEndian.i64(b, pos);
            blobLength = LittleEndian.i64(b, pos + 8);
            if (blobLength < 0) {
                throw new IllegalArgumentException("blob length " + blobLength + " is negative");
            }
        } else if (kind == PENDING_BLOB) {
            attachment = LittleEndian.i32(b, pos);
        }
        pos += trailer;
    }

    private void need(int n) {
        if (end - pos < n) {
            throw new IllegalArgumentException("entry of kind " + kind + " needs " + n + " bytes, "
                    + (end - pos) + " left in the block");
        }
    }

    public int entryStart() { return entryStart; }
    public int entryEnd() { return pos; }
    public int kind() { return kind; }
    public long seq() { return seq; }
    public int opCode() { return opCode; }
    public int flags() { return flags; }
    public boolean hasStatus() { return hasStatus; }
    public int status() { return status; }
    public int inlineOffset() { return inlineOffset; }
    public int inlineLength() { return inlineLength; }
    public long blobHash() { return blobHash; }
    public long blobLength() { return blobLength; }
    public int attachment() { return attachment; }
    public long gapLast() { return gapLast; }
    public long gapCount() { return gapCount; }
    public byte[] bytes() { return b; }
}
