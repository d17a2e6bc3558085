package io.gpumigrate.agent.migration;

import io.gpumigrate.agent.HostPort;
import io.gpumigrate.agent.NodeAgent;
import io.gpumigrate.agent.SessionEndpoint;
import io.gpumigrate.checkpoint.CheckpointFormatException;
import io.gpumigrate.checkpoint.CheckpointReader;
import io.gpumigrate.checkpoint.SessionImage;
import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.protocol.BodyReader;
import io.gpumigrate.protocol.Op;
import io.gpumigrate.worker.migration.CheckpointDump;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code DUMP} of a session of this node (its worker writes the image) and {@code RESTORE}
 * of an image onto this node (a new worker for the image's session, under its old id and
 * secret, so that the same client can attach again). Thread-safe.
 */
final class CheckpointRequests {

    private static final Logger log = LoggerFactory.getLogger(CheckpointRequests.class);
    private static final int WORKER_TIMEOUT_MILLIS = 0;

    private final NodeAgent agent;
    /** Sessions whose worker runs here but whose image is still being read: SESSION_LOCATE must not name them yet. */
    private final java.util.Set<Long> restoring = java.util.concurrent.ConcurrentHashMap.newKeySet();

    CheckpointRequests(NodeAgent agent) {
        this.agent = agent;
    }

    void dump(long session, String directory, boolean leaveRunning, Responder out) throws IOException, CudaException {
        SessionEndpoint worker = agent.endpoint(session).orElseThrow(() -> new CudaException(CuResult.NOT_FOUND,
                "session " + session + " is not live on node " + agent.config().name()));
        String absolute = Path.of(directory).toAbsolutePath().toString();
        var record = agent.sessions().get(session);
        String program = record == null ? "" : record.program();
        try (ControlConnection c = ControlConnection.open(new HostPort(worker.host(), worker.port()), WORKER_TIMEOUT_MILLIS)) {
            BodyReader r = new BodyReader(c.call(Op.DUMP, w -> w.str(worker.secret()).str(absolute).u8(leaveRunning ? 1 : 0).str(program),
                    out::progress), "DUMP reply");
            long bytes = r.u64();
            long pauseMicros = r.u64();
            log.info("session {}: dumped to {} ({} bytes){}", session, absolute, bytes, leaveRunning ? ", left running" : "");
            out.success(w -> w.u64(bytes).u64(pauseMicros));
        }
    }

    void restore(String directory, String localHost, Responder out) throws IOException, CudaException {
        Path dir = Path.of(directory).toAbsolutePath();
        SessionImage image;
        try {
            image = CheckpointReader.readSessionImage(dir);
        } catch (CheckpointFormatException e) {
            throw new CudaException(CuResult.INVALID_IMAGE, e.getMessage());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new CudaException(CuResult.FILE_NOT_FOUND, "no checkpoint image at " + dir + ": " + e.getFile()
                    + " is missing");
        }
        String id = image.extensions().get("session.id");
        String secret = image.extensions().get("session.secret");
        if (id == null || secret == null) {
            throw new CudaException(CuResult.INVALID_IMAGE, "the image " + dir + " names no session (session.id, session.secret)");
        }
        long session = Long.parseUnsignedLong(id);
        String program = image.extensions().getOrDefault(CheckpointDump.PROGRAM, "restored"); // older images: no label
        restoring.add(session);
        try {
            restoreInto(session, secret, program, dir, localHost, out);
        } finally {
            restoring.remove(session);
        }
        log.info("session {}: restored from {}", session, dir);
        out.success(w -> w.u64(session).str(agent.config().name()));
    }

    /** Whether {@code session} is being restored here: its worker exists but does not hold the session yet. */
    boolean restoring(long session) {
        return restoring.contains(session);
    }

    private void restoreInto(long session, String secret, String program, Path dir, String localHost, Responder out)
            throws IOException, CudaException {
        var opened = openWorker(session, secret, program, localHost);
        try (ControlConnection c = ControlConnection.open(new HostPort(opened.workerHost(), opened.workerPort()),
                WORKER_TIMEOUT_MILLIS)) {
            c.call(Op.RESTORE, w -> w.str(secret).str(dir.toString()).u64(0), out::progress);
        } catch (CudaException | IOException e) {
            // the worker ends itself; answer once it has, so that a retry finds the session id free
            agent.workerExit(session).completeOnTimeout(null, 10, java.util.concurrent.TimeUnit.SECONDS).join();
            if (e instanceof CudaException c) {
                throw new CudaException(c.result(), "restoring " + dir + " failed: " + ControlConnection.plain(c.getMessage()));
            }
            throw (IOException) e;
        }
    }

    private io.gpumigrate.protocol.Handshake.HelloReply openWorker(long session, String secret, String program,
                                                                   String localHost)
            throws CudaException {
        if (agent.cordoned()) {
            throw new CudaException(CuResult.NOT_PERMITTED, "node " + agent.config().name()
                    + " is cordoned: it takes no sessions");
        }
        try {
            return agent.openSession(session, secret, program, 0, localHost).join();
        } catch (IllegalStateException e) {
            throw new CudaException(CuResult.ILLEGAL_STATE, e.getMessage());
        } catch (java.util.concurrent.CompletionException e) {
            throw new CudaException(CuResult.OPERATING_SYSTEM, "cannot start a worker for session " + session + ": "
                    + e.getCause().getMessage());
        }
    }
}
