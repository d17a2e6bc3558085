package io.gpumigrate.replay;

import io.gpumigrate.protocol.Op;

import java.util.OptionalInt;

/**
 * A forwarded call exactly as it crossed the wire (docs/wire-protocol.md): sequence number, op
 * code, flags and body, plus the worker's result status when one was logged. Immutable; the
 * body array is owned by this record and must not be modified.
 *
 * <p>When the call's payload lives in the blob store, {@link #blob()} names it. A reader that
 * resolves blobs (the default) puts the whole body in {@link #body()}; one that does not
 * ({@code LogReader} for listing) leaves only the inline part there, and
 * {@link #bodyLength()} still gives the length on the wire. Like every record with an array
 * component, {@code equals} compares bodies by identity: compare them with {@code Arrays.equals}.
 *
 * @param seq     the call's sequence number
 * @param opCode  the u16 op code as sent (see {@link #op()})
 * @param flags   the u16 frame flags as sent
 * @param body    the body bytes (whole, or the inline part only, see above)
 * @param status  the worker's {@code CUresult} for this call, when logged
 * @param blob    the blob holding the body's tail, or {@code null}
 * @param resolved whether {@code body} includes the blob's bytes
 * @param results  what the reply carried after its status, when logged (allocations' addresses,
 *                 so that a replay can place them where the recording had them); else empty
 */
public record LoggedCall(long seq, int opCode, int flags, byte[] body, OptionalInt status, BlobRef blob,
                         boolean resolved, byte[] results) implements LogEntry {

    private static final byte[] NONE = new byte[0];

    /** A call without logged results. */
    public LoggedCall(long seq, int opCode, int flags, byte[] body, OptionalInt status, BlobRef blob, boolean resolved) {
        this(seq, opCode, flags, body, status, blob, resolved, NONE);
    }

    public LoggedCall {
        if (opCode < 0 || opCode > 0xFFFF) {
            throw new IllegalArgumentException("op code " + opCode + " is outside 0..65535");
        }
        if (flags < 0 || flags > 0xFFFF) {
            throw new IllegalArgumentException("flags " + flags + " are outside 0..65535");
        }
        if (body == null || status == null || results == null) {
            throw new NullPointerException("body, status and results must not be null");
        }
    }

    /** A call whose whole body is inline. */
    public static LoggedCall of(long seq, Op op, int flags, byte[] body) {
        return new LoggedCall(seq, op.code(), flags, body, OptionalInt.empty(), null, true);
    }

    /** The operation, or {@code null} when the code is not one this build knows. */
    public Op op() {
        return Op.of(opCode);
    }

    /** The body's length on the wire, whether or not the blob part is in {@link #body()}. */
    public long bodyLength() {
        return blob == null || resolved ? body.length : body.length + blob.length();
    }

    /** This call with its status set. */
    public LoggedCall withStatus(int result) {
        return new LoggedCall(seq, opCode, flags, body, OptionalInt.of(result), blob, resolved, results);
    }

    /** This call with the results of its reply. */
    public LoggedCall withResults(byte[] replyResults) {
        return new LoggedCall(seq, opCode, flags, body, status, blob, resolved, replyResults);
    }

    @Override
    public long firstSeq() {
        return seq;
    }

    @Override
    public long lastSeq() {
        return seq;
    }
}
