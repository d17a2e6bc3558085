package io.gpumigrate.agent;

import java.time.Instant;

/**
 * What an agent knows about one session: who it is for, and the figures its worker reports.
 * Thread-safe: the figures are updated by the worker's report reader and read by any thread.
 */
public final class SessionRecord {

    /** The life of a session as {@code ps} shows it. */
    public enum State {
        STARTING, RUNNING, FINISHED, FAILED, MIGRATED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final long id;
    private final String program;
    private final long clientPid;
    private final String node;
    private final Instant started = Instant.now();
    private volatile State state = State.STARTING;
    private volatile long callsExecuted;
    private volatile long deviceMemoryInUse;
    private volatile long lastAppliedSeq;
    private volatile String endReason = "";
    private volatile String backend = "";

    SessionRecord(long id, String program, long clientPid, String node) {
        this.id = id;
        this.program = program;
        this.clientPid = clientPid;
        this.node = node;
    }

    public long id() {
        return id;
    }

    public String program() {
        return program;
    }

    public long clientPid() {
        return clientPid;
    }

    public String node() {
        return node;
    }

    public Instant started() {
        return started;
    }

    public State state() {
        return state;
    }

    public long callsExecuted() {
        return callsExecuted;
    }

    public long deviceMemoryInUse() {
        return deviceMemoryInUse;
    }

    public long lastAppliedSeq() {
        return lastAppliedSeq;
    }

    /** Why the session ended, as its worker said (empty while it runs). */
    public String endReason() {
        return endReason;
    }

    /** The worker's device backend ({@code cuda} or {@code emulator}), once it listens. */
    public String backend() {
        return backend;
    }

    void backend(String backend) {
        this.backend = backend;
    }

    void running() {
        state = State.RUNNING;
    }

    void stats(long lastAppliedSeq, long callsExecuted, long deviceMemoryInUse) {
        this.lastAppliedSeq = lastAppliedSeq;
        this.callsExecuted = callsExecuted;
        this.deviceMemoryInUse = deviceMemoryInUse;
    }

    void endReason(String reason) {
        if (state != State.MIGRATED) {
            this.endReason = reason;
        }
    }

    void ended(boolean cleanly) {
        deviceMemoryInUse = 0;
        if (state != State.MIGRATED) {
            state = cleanly ? State.FINISHED : State.FAILED;
        }
    }

    /** The session moved to {@code node}; its worker here ends. */
    void migrated(String node) {
        state = State.MIGRATED;
        endReason = "migrated to " + node;
    }

    public SessionInfo info() {
        return new SessionInfo(id, program, node, deviceMemoryInUse, callsExecuted, state.label());
    }
}
