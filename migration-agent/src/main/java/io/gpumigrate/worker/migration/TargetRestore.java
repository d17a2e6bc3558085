package io.gpumigrate.worker.migration;

import static io.gpumigrate.checkpoint.transfer.FinishTimes.millis;

import io.gpumigrate.checkpoint.CheckpointReader;
import io.gpumigrate.checkpoint.SessionImage;
import io.gpumigrate.checkpoint.transfer.MigrationReceiver;
import io.gpumigrate.checkpoint.transfer.ReceivedImage;
import io.gpumigrate.checkpoint.transfer.TransferOptions;
import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.protocol.BodyReader;
import io.gpumigrate.protocol.Op;
import io.gpumigrate.worker.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A fresh worker becoming a session that existed elsewhere. {@code RESTORE} (body after the
 * secret: {@code str directory, u64 bytesNeeded}):
 * <ul>
 * <li>with a directory, restores that checkpoint image (allocations at their addresses, their
 *     contents checked chunk by chunk, then every object under its old handle) and replies
 *     {@code u64 lastApplied, u64 bytes};</li>
 * <li>without one, prepares the target of a migration: refuses ({@code OUT_OF_MEMORY}) when
 *     the device has less than {@code bytesNeeded} free, else listens for the source's
 *     transfer and replies {@code u16 receiverPort}. As soon as the image is verified it
 *     re-creates the session; {@code MIGRATE} (body: the secret) waits for that and replies
 *     {@code u64 lastApplied, u64 bytes}: from then on this worker owns the session.</li>
 * </ul>
 * The connection closing before that ends this worker's session: it never served a client.
 *
 * <p>Thread-safe: the event loop starts and commits; the waiting runs on threads of its own.
 */
final class TargetRestore implements ControlOperation {

    private static final Logger LOG = LoggerFactory.getLogger(TargetRestore.class);
    private static final long COMMIT_TIMEOUT_MINUTES = 10;

    private final Session session;
    private final ControlChannel control;
    private volatile MigrationReceiver receiver;
    private volatile boolean done;
    private volatile java.util.concurrent.CompletableFuture<ReceivedImage> imported;
    /** When the image was verified and when the session was re-created from it (nanoTime), for the log. */
    private volatile long verifiedAt;
    private volatile long importedAt;
    private final LogHandover log;

    TargetRestore(Session session, ControlChannel control) {
        this.session = session;
        this.control = control;
        this.log = new LogHandover(session);
    }

    @Override
    public void start(long seq, BodyReader body) throws CudaException {
        String directory = body.str();
        long bytesNeeded = body.u64();
        InetSocketAddress local = control.localAddress();
        session.attachWait().suspend();
        Thread.ofVirtual().name("restore-" + session.id()).start(() -> {
            try {
                if (directory.isEmpty()) {
                    prepare(seq, bytesNeeded, local);
                } else {
                    restore(seq, Path.of(directory));
                }
            } catch (Exception e) {
                // end only once the refusal is on its way: the worker exits when its session ends
                control.error(seq, Failures.status(e), Failures.message(e)).addListener(f ->
                        session.end("restoring the session failed: " + Failures.message(e)));
            }
        });
    }

    private void prepare(long seq, long bytesNeeded, InetSocketAddress local) throws Exception {
        long free = session.onExecutor(() -> session.device().memInfo().free()).get();
        if (free < bytesNeeded) {
            throw new CudaException(CuResult.OUT_OF_MEMORY, "the target has " + free
                    + " bytes of device memory free, the session needs " + bytesNeeded);
        }
        receiver = MigrationReceiver.listen(new InetSocketAddress(local.getAddress(), 0), session.device(),
                session.executor(), TransferOptions.defaults());
        // re-create the session as soon as the image is verified, while the agent still waits for the
        // source's answer: the commit then finds it done, and the client's pause is shorter
        MigrationReceiver r = receiver;
        log.expect(r.log());
        imported = r.result().thenCompose(got -> {
            verifiedAt = System.nanoTime();
            return session.importImage(got.image(), got.preloaded()).thenApply(v -> {
                importedAt = System.nanoTime();
                return got;
            });
        });
        int port = r.address().getPort();
        LOG.info("session {}: waiting for the migration's transfer on port {}", session.id(), port);
        // the free memory lets the source refuse before its pause when the agent's count of the
        // session's memory (from periodic reports) was behind
        control.success(seq, w -> w.u16(port).u64(free));
    }

    private void restore(long seq, Path directory) throws Exception {
        var progress = control.progress(seq);
        long start = System.nanoTime();
        SessionImage image = session.onExecutor(() -> CheckpointReader.restore(directory, session.device(), progress)).get();
        long memory = System.nanoTime();
        session.importImage(image).get();
        long imported = System.nanoTime();
        log.restored(directory, image.lastAppliedSeq());
        done = true;
        session.attachWait().restart();
        LOG.info("session {}: restored from {} ({} bytes of device memory) in {} ms: device memory {}, session state {},"
                + " log {} ms", session.id(), directory, image.allocatedBytes(), millis(System.nanoTime() - start),
                millis(memory - start), millis(imported - memory), millis(System.nanoTime() - imported));
        control.success(seq, w -> w.u64(image.lastAppliedSeq()).u64(image.allocatedBytes()));
    }

    @Override
    public void next(Op op, long seq, BodyReader body) throws CudaException {
        MigrationReceiver r = receiver;
        if (op != Op.MIGRATE || r == null || done) {
            throw new CudaException(CuResult.ILLEGAL_STATE, op + " here; after RESTORE only MIGRATE (commit) is expected,"
                    + " once, after a migration's RESTORE");
        }
        long asked = System.nanoTime();
        Thread.ofVirtual().name("commit-" + session.id()).start(() -> {
            try {
                ReceivedImage got = imported.get(COMMIT_TIMEOUT_MINUTES, TimeUnit.MINUTES);
                long waited = System.nanoTime();
                log.arrived(r.log().outcome(), got.image().lastAppliedSeq());
                long handedOver = System.nanoTime();
                done = true;
                session.attachWait().restart();
                control.success(seq, w -> w.u64(got.image().lastAppliedSeq()).u64(got.bytes()));
                // the reply first: the client's pause lasts until the source hears of it. Committed
                // now: a failure to close the receiver must not end the session
                try {
                    r.close();
                } catch (RuntimeException e) {
                    LOG.warn("session {}: closing the migration's receiver failed: {}", session.id(), e.toString());
                }
                LOG.info("session {}: migrated here ({} bytes, {} chunks, {} of {} modules loaded before the pause);"
                        + " re-created {} ms after VERIFIED, the commit waited {} ms for that and took {} ms for the"
                        + " log; waiting for the client", session.id(), got.bytes(), got.chunks(),
                        got.preloaded().taken(), got.image().modules().size(), millis(importedAt - verifiedAt),
                        millis(waited - asked), millis(handedOver - waited));
            } catch (Exception e) {
                control.error(seq, Failures.status(e), "the target could not take the session: " + Failures.message(e))
                        .addListener(f -> abandon("committing failed: " + Failures.message(e)));
            }
        });
    }

    @Override
    public void connectionClosed() {
        if (!done) {
            abandon("the agent's control connection closed before the commit");
        }
    }

    private void abandon(String reason) {
        MigrationReceiver r = receiver;
        if (r != null) {
            r.close();
        }
        log.discard();
        session.end("the session never arrived: " + reason);
    }
}
