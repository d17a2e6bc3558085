package io.gpumigrate.agent.migration;

import io.gpumigrate.agent.HostPort;
import io.gpumigrate.agent.SessionEndpoint;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.protocol.BodyReader;
import io.gpumigrate.protocol.Op;
import io.gpumigrate.worker.migration.MigrationFlags;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The control calls of docs/migration-protocol.md as blocking methods, for the CLI and tests:
 * one connection per call, PROGRESS frames handed to a listener. Any agent of the cluster will
 * do: it forwards what another node holds. Thread-safe (stateless).
 */
public final class ControlClient {

    /** What {@code MIGRATE} answered. */
    public record MigrationResult(long pauseMicros, long totalMicros, long bytesMoved, String targetNode) {
    }

    /** What {@code DUMP} answered. */
    public record DumpResult(long bytesWritten, long pauseMicros) {
    }

    /** A session a drain moved (or, in a dry run, would move), and how that went ({@code CUresult}). */
    public record DrainRow(long session, String targetNode, int status) {
    }

    /** Sessions a drain moves at once when not told, and the most it may be told. */
    public static final int DRAIN_DEFAULT_PARALLEL = Drain.DEFAULT_PARALLEL;
    public static final int DRAIN_MAX_PARALLEL = Drain.MAX_PARALLEL;

    private final HostPort agent;
    private final String token;

    public ControlClient(HostPort agent, String token) {
        this.agent = agent;
        this.token = token == null ? "" : token;
    }

    public MigrationResult migrate(long session, String targetNode, long timeoutMillis,
                                   Consumer<ControlConnection.Progress> progress) throws IOException, CudaException {
        return migrate(session, targetNode, timeoutMillis, true, progress);
    }

    /**
     * {@code MIGRATE}; with {@code precopy} false the session is paused at once and all of its
     * memory goes in the final copy (stop-and-copy: the pause is the whole transfer).
     */
    public MigrationResult migrate(long session, String targetNode, long timeoutMillis, boolean precopy,
                                   Consumer<ControlConnection.Progress> progress) throws IOException, CudaException {
        try (ControlConnection c = ControlConnection.open(agent, 0)) {
            BodyReader r = new BodyReader(c.call(Op.MIGRATE, w -> w.str(token).u64(session).str(targetNode)
                    .u64(timeoutMillis).u8(precopy ? 0 : MigrationFlags.NO_PRECOPY), progress), "MIGRATE reply");
            return new MigrationResult(r.u64(), r.u64(), r.u64(), r.str());
        }
    }

    public DumpResult dump(long session, String directory, boolean leaveRunning,
                           Consumer<ControlConnection.Progress> progress) throws IOException, CudaException {
        try (ControlConnection c = ControlConnection.open(agent, 0)) {
            BodyReader r = new BodyReader(c.call(Op.DUMP, w -> w.str(token).u64(session).str(directory)
                    .u8(leaveRunning ? 1 : 0), progress), "DUMP reply");
            return new DumpResult(r.u64(), r.u64());
        }
    }

    /** Restores an image; returns the session id ({@code [0]}) and node ({@code [1]}). */
    public String[] restore(String directory, String onNode, Consumer<ControlConnection.Progress> progress)
            throws IOException, CudaException {
        try (ControlConnection c = ControlConnection.open(agent, 0)) {
            BodyReader r = new BodyReader(c.call(Op.RESTORE, w -> w.str(token).str(directory).str(onNode), progress),
                    "RESTORE reply");
            return new String[] {Long.toUnsignedString(r.u64()), r.str()};
        }
    }

    public List<DrainRow> drain(String node, long timeoutMillis, boolean dryRun,
                                Consumer<ControlConnection.Progress> progress) throws IOException, CudaException {
        return drain(node, timeoutMillis, dryRun, DRAIN_DEFAULT_PARALLEL, progress);
    }

    /** As above, moving up to {@code parallel} sessions at once (1 to {@value #DRAIN_MAX_PARALLEL}). */
    public List<DrainRow> drain(String node, long timeoutMillis, boolean dryRun, int parallel,
                                Consumer<ControlConnection.Progress> progress) throws IOException, CudaException {
        try (ControlConnection c = ControlConnection.open(agent, 0)) {
            BodyReader r = new BodyReader(c.call(Op.DRAIN, w -> w.str(token).str(node).u64(timeoutMillis)
                    .u8(dryRun ? 1 : 0).u8(parallel), progress), "DRAIN reply");
            long n = r.u32();
            List<DrainRow> rows = new ArrayList<>();
            for (long i = 0; i < n; i++) {
                rows.add(new DrainRow(r.u64(), r.str(), r.i32()));
            }
            return rows;
        }
    }

    /** Cordons ({@code true}) or uncordons a node. */
    public void cordon(String node, boolean cordon) throws IOException, CudaException {
        try (ControlConnection c = ControlConnection.open(agent, ControlRequests.PEER_TIMEOUT_MILLIS)) {
            c.call(cordon ? Op.CORDON : Op.UNCORDON, w -> w.str(token).str(node));
        }
    }

    /** Every node of the cluster that answers, the asked agent's first. */
    public List<NodeRow> nodes() throws IOException, CudaException {
        try (ControlConnection c = ControlConnection.open(agent, 60_000)) {
            BodyReader r = new BodyReader(c.call(Op.NODE_LIST, w -> w.str(token)), "NODE_LIST reply");
            long n = r.u32();
            List<NodeRow> rows = new ArrayList<>();
            for (long i = 0; i < n; i++) {
                rows.add(NodeRow.readFrom(r));
            }
            return rows;
        }
    }

    /** Where {@code session} lives now ({@code CUDA_ERROR_NOT_FOUND} when nowhere). */
    public SessionEndpoint locate(long session) throws IOException, CudaException {
        try (ControlConnection c = ControlConnection.open(agent, 60_000)) {
            BodyReader r = new BodyReader(c.call(Op.SESSION_LOCATE, w -> w.u64(session).str(token)), "SESSION_LOCATE reply");
            return new SessionEndpoint(r.str(), r.u16(), r.str());
        }
    }
}
