package io.gpumigrate.agent.migration;

import io.gpumigrate.agent.HostPort;
import io.gpumigrate.agent.NodeAgent;
import io.gpumigrate.agent.SessionEndpoint;
import io.gpumigrate.agent.SessionRecord;
import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.protocol.BodyReader;
import io.gpumigrate.protocol.Op;
import io.netty.buffer.ByteBuf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * Moves one live session of this node to a peer (DESIGN.md, migration), holding two control
 * connections, one to each worker:
 * <ol>
 * <li>the target agent starts a worker for the session ({@code MIGRATE_PREPARE});</li>
 * <li>that worker checks it has the memory and listens for the transfer ({@code RESTORE}):
 *     a refusal here comes before the source ever pauses;</li>
 * <li>the source worker pre-copies, pauses, sends the final round and its state, and answers
 *     once the target VERIFIED it ({@code MIGRATE});</li>
 * <li>the target re-creates the session ({@code MIGRATE} on its connection): the commit point;</li>
 * <li>the source hands its client to the target ({@code MIGRATED}) and ends.</li>
 * </ol>
 * A failure before step 4 closes both connections: the target worker discards what it
 * received and exits, the source resumes. Thread-safe: each call runs on the caller's thread.
 */
final class MigrationCoordinator {

    private static final Logger log = LoggerFactory.getLogger(MigrationCoordinator.class);
    private static final int CONNECT_MARGIN_MILLIS = 60_000;

    /** What a migration took: the pause the client saw, the whole, the bytes moved. */
    record Outcome(long pauseMicros, long totalMicros, long bytesMoved, String targetNode) {
    }

    private final NodeAgent agent;

    MigrationCoordinator(NodeAgent agent) {
        this.agent = agent;
    }

    /** @param flags {@link MigrationFlags}, passed on to the source worker */
    Outcome migrate(long session, String targetNode, HostPort target, long timeoutMillis, int flags,
                    Consumer<ControlConnection.Progress> progress) throws IOException, CudaException {
        SessionEndpoint source = agent.endpoint(session).orElseThrow(() -> new CudaException(CuResult.NOT_FOUND,
                "session " + session + " is not live on node " + agent.config().name()));
        SessionRecord record = agent.sessions().get(session);
        long start = System.nanoTime();
        int readTimeout = (int) Math.min(Integer.MAX_VALUE, timeoutMillis + CONNECT_MARGIN_MILLIS);
        log.info("session {}: migrating from {} to {} ({} bytes in use)", session, agent.config().name(), targetNode,
                record == null ? 0 : record.deviceMemoryInUse());
        progress.accept(new ControlConnection.Progress("prepare", 0, 0, 0));
        SessionEndpoint prepared;
        try (ControlConnection peer = ControlConnection.open(target, readTimeout)) {
            ByteBuf r = peer.call(Op.MIGRATE_PREPARE, w -> w.str(agent.peerToken()).u64(session).str(source.secret())
                    .str(record == null ? "migrated" : record.program()).u64(record == null ? 0 : record.clientPid()));
            BodyReader reader = new BodyReader(r, "MIGRATE_PREPARE reply");
            prepared = new SessionEndpoint(reader.str(), reader.u16(), source.secret());
        }
        long bytesNeeded = record == null ? 0 : record.deviceMemoryInUse();
        try (ControlConnection targetWorker = ControlConnection.open(new HostPort(prepared.host(), prepared.port()),
                readTimeout);
             ControlConnection sourceWorker = ControlConnection.open(new HostPort(source.host(), source.port()),
                     readTimeout)) {
            BodyReader restoreReply = new BodyReader(targetWorker.call(Op.RESTORE,
                    w -> w.str(source.secret()).str("").u64(bytesNeeded)), "RESTORE reply");
            int receiverPort = restoreReply.u16();
            long targetFree = restoreReply.u64();
            BodyReader moved = new BodyReader(sourceWorker.call(Op.MIGRATE, w -> w.str(source.secret())
                    .str(prepared.host()).u16(receiverPort).u64(timeoutMillis).u64(targetFree).u8(flags), progress),
                    "MIGRATE reply");
            long bytesMoved = moved.u64();
            long pausedAtMicros = moved.u64();
            long verifiedAt = System.nanoTime();
            progress.accept(new ControlConnection.Progress("commit", bytesMoved, bytesMoved, 0));
            targetWorker.call(Op.MIGRATE, w -> w.str(source.secret()));
            // committed: the target owns the session from here on, whatever happens to the source
            agent.sessionMoved(session, targetNode);
            long committedAt = System.nanoTime();
            long redirectAsked = epochMicros();
            try {
                sourceWorker.call(Op.MIGRATED, w -> w.u64(session).str(prepared.host()).u16(prepared.port())
                        .str(prepared.secret()));
                log.debug("session {}: MIGRATED sent to the source at {} us (epoch), answered by {}", session,
                        redirectAsked, epochMicros());
            } catch (IOException | CudaException e) {
                log.warn("session {}: the source could not redirect its client ({}); the client will locate the"
                        + " session on {}", session, e.getMessage(), targetNode);
            }
            long pauseMicros = Math.max(0, epochMicros() - pausedAtMicros);
            long end = System.nanoTime();
            long totalMicros = (end - start) / 1000;
            log.info("session {}: migrated to {}: {} bytes, paused {} us, {} us in all (after VERIFIED: commit {} us,"
                    + " redirect {} us)", session, targetNode, bytesMoved, pauseMicros, totalMicros,
                    (committedAt - verifiedAt) / 1000, (end - committedAt) / 1000);
            return new Outcome(pauseMicros, totalMicros, bytesMoved, targetNode);
        }
    }

    private static long epochMicros() {
        return io.gpumigrate.worker.Session.epochMicros();
    }
}
