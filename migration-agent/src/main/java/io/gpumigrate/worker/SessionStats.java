package io.gpumigrate.worker;

/**
 * What a session reports to its agent: the last applied sequence number, the calls executed
 * and the device memory the client holds. Written by the session's executor thread, read by
 * any thread (each field is individually consistent; the three together are a best-effort snapshot).
 */
public final class SessionStats {

    private volatile long lastAppliedSeq;
    private volatile long callsExecuted;
    private volatile long deviceMemoryInUse;

    /** Records that the call {@code seq} was applied. Session executor only. */
    void applied(long seq) {
        lastAppliedSeq = seq;
        callsExecuted++;
    }

    /** Takes the figures of a session restored elsewhere. Session executor only. */
    void restore(long lastAppliedSeq, long callsExecuted) {
        this.lastAppliedSeq = lastAppliedSeq;
        this.callsExecuted = callsExecuted;
    }

    /** Adds {@code delta} (negative on free) to the memory in use. Session executor only. */
    void memory(long delta) {
        deviceMemoryInUse += delta;
    }

    public long lastAppliedSeq() {
        return lastAppliedSeq;
    }

    public long callsExecuted() {
        return callsExecuted;
    }

    public long deviceMemoryInUse() {
        return deviceMemoryInUse;
    }
}
