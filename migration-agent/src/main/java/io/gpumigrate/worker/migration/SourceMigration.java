package io.gpumigrate.worker.migration;

import static io.gpumigrate.checkpoint.transfer.FinishTimes.millis;

import io.gpumigrate.checkpoint.SessionImage;
import io.gpumigrate.checkpoint.transfer.MigrationSender;
import io.gpumigrate.checkpoint.transfer.PrecopyPolicy;
import io.gpumigrate.checkpoint.transfer.RoundStats;
import io.gpumigrate.checkpoint.transfer.TransferOptions;
import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.protocol.BodyReader;
import io.gpumigrate.protocol.Frame;
import io.gpumigrate.protocol.Op;
import io.gpumigrate.worker.Session;
import io.netty.buffer.Unpooled;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The source worker's part of a migration. {@code MIGRATE} (body after the secret: {@code str
 * receiverHost, u16 receiverPort, u64 timeoutMillis}, optional {@code u64 targetFree, u8 flags}
 * ({@link MigrationFlags})) streams device memory to the target's
 * receiver in pre-copy rounds while the session runs, pauses it, sends the final round and the
 * session's state, and replies once the target has VERIFIED: {@code u64 bytesMoved, u64
 * pausedAtMicros} (epoch), {@code u32 rounds, u64 finalRoundBytes}. The session stays paused.
 * Then {@code MIGRATED} (body: the frame for the client) commits: the client gets it after
 * every reply, and this worker ends. Any failure before that, or the connection closing,
 * aborts the transfer and resumes the session, which never noticed. The session's replay log
 * goes along ({@link SourceLog}); the commit closes it here.
 *
 * <p>Thread-safe: the event loop starts and commits; the transfer runs on its own thread.
 */
final class SourceMigration implements ControlOperation {

    private static final Logger log = LoggerFactory.getLogger(SourceMigration.class);

    private enum State { RUNNING, VERIFIED, COMMITTED, ABORTED }

    private final Session session;
    private final ControlChannel control;
    private final Object lock = new Object();
    private State state = State.RUNNING;
    private MigrationSender sender;
    private boolean paused;
    private volatile SourceLog sessionLog;

    SourceMigration(Session session, ControlChannel control) {
        this.session = session;
        this.control = control;
    }

    @Override
    public void start(long seq, BodyReader body) throws CudaException {
        String host = body.str();
        int port = body.u16();
        long timeoutMillis = body.u64();
        long targetFree = body.remaining() >= Long.BYTES ? body.u64() : Long.MAX_VALUE; // optional since 1.0
        int flags = MigrationFlags.check(body.remaining() > 0 ? body.u8() : 0); // optional since 1.1
        if (timeoutMillis <= 0) {
            throw new CudaException(CuResult.INVALID_VALUE, "migration timeout " + timeoutMillis + " ms must be positive");
        }
        Thread.ofVirtual().name("migrate-" + session.id()).start(() -> run(seq, new InetSocketAddress(host, port),
                timeoutMillis, targetFree, MigrationFlags.precopy(flags)));
    }

    private void run(long seq, InetSocketAddress receiver, long timeoutMillis, long targetFree, boolean precopyAllowed) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        var progress = control.progress(seq);
        boolean pausedHere = false;
        try {
            TransferOptions options = TransferOptions.defaults()
                    .withVerifyTimeout(Duration.ofMillis(Math.max(1000, timeoutMillis)));
            MigrationSender s = MigrationSender.connect(receiver, session.device(), session.urgentExecutor(), options);
            synchronized (lock) {
                sender = s;
                if (state != State.RUNNING) {
                    throw new CudaException(CuResult.ILLEGAL_STATE, "the migration was aborted");
                }
            }
            // the target loads (and JIT-compiles) the modules now, not inside the pause
            s.sendModules(session.moduleImages().get());
            List<RoundStats> rounds = new ArrayList<>();
            long bytes = 0;
            long total = 0;
            for (AddressRange a : session.onExecutor(() -> session.device().allocations()).get()) {
                total += a.size();
            }
            if (total > targetFree) {
                throw new CudaException(CuResult.OUT_OF_MEMORY, "the target has " + targetFree
                        + " bytes of device memory free, the session needs " + total);
            }
            SourceLog logShip = new SourceLog(session);
            sessionLog = logShip;
            logShip.shipChanges(s); // while the session runs: all of the log there is now
            // below what a final round may send anyway, pre-copy only delays the pause: stop and copy
            // (or when the caller asked for stop-and-copy)
            boolean precopy = precopyAllowed && total > PrecopyPolicy.DEFAULT.smallEnough();
            while (precopy && PrecopyPolicy.DEFAULT.another(rounds)) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("pre-copy did not converge within " + timeoutMillis + " ms");
                }
                List<AddressRange> allocations = session.onExecutor(() -> session.device().allocations()).get();
                RoundStats round = s.sendRound(allocations, progress);
                rounds.add(round);
                bytes += round.rawBytes();
                logShip.shipChanges(s);
                log.info("session {}: pre-copy round {} sent {} of {} chunks ({} bytes)", session.id(), round.round(),
                        round.chunksSent(), round.chunksExamined(), round.rawBytes());
            }
            if (!precopy) {
                // stop-and-copy: place the allocations on the target and ready this side now, not in the pause
                s.prepare(session.onExecutor(() -> session.device().allocations()).get());
            }
            long pauseStart = System.nanoTime();
            long pausedAt = session.pause().get();
            long drained = System.nanoTime();
            pausedHere = true;
            synchronized (lock) {
                paused = true;
            }
            logShip.shipFinal(s);
            long logShipped = System.nanoTime();
            SessionImage image = session.exportImage().get();
            long exported = System.nanoTime();
            RoundStats last = s.finish(image, progress);
            long verified = System.nanoTime();
            long moved = bytes + last.rawBytes();
            int count = rounds.size() + 1;
            synchronized (lock) {
                if (state != State.RUNNING) {
                    throw new CudaException(CuResult.ILLEGAL_STATE, "the migration was aborted");
                }
                state = State.VERIFIED;
            }
            // the reply first: the client is paused until the agent commits
            control.success(seq, w -> w.u64(moved).u64(pausedAt).u32(count).u64(last.rawBytes()));
            log.info("session {}: the target verified the image ({} bytes in {} rounds, {} in the last); paused so far"
                    + " {} ms: drain {}, log {}, state {}, memory and verification {} ({})", session.id(), moved, count,
                    last.rawBytes(), millis(verified - pauseStart), millis(drained - pauseStart),
                    millis(logShipped - drained), millis(exported - logShipped), millis(verified - exported),
                    s.finishTimes());
        } catch (Exception e) {
            String reason = Failures.message(e);
            abort("the source failed: " + reason);
            if (pausedHere) {
                session.resume(); // idempotent: abort may have resumed it already
            }
            control.error(seq, Failures.status(e) == CuResult.UNKNOWN && Failures.unwrap(e) instanceof TimeoutException
                    ? CuResult.LAUNCH_TIMEOUT : Failures.status(e), "migration of session " + session.id()
                    + " aborted, the session continues on its source: " + reason);
        }
    }

    @Override
    public void next(Op op, long seq, BodyReader body) throws CudaException {
        if (op != Op.MIGRATED) {
            throw new CudaException(CuResult.NOT_SUPPORTED, op + " after MIGRATE; only MIGRATED commits");
        }
        synchronized (lock) {
            if (state != State.VERIFIED) {
                throw new CudaException(CuResult.ILLEGAL_STATE, "MIGRATED while the migration is " + state
                        + "; it commits only a VERIFIED image");
            }
            state = State.COMMITTED;
        }
        Frame migrated = Frame.of(Op.MIGRATED, false, 0, Unpooled.copiedBuffer(body.rest()));
        long committing = System.nanoTime();
        long readAt = Session.epochMicros();
        // The log closes after the redirect and the reply, not in the client's pause: its writer
        // syncs its files. A target sharing the log's directory waits for it (LogHandover) before
        // it logs a call.
        session.redirect(migrated, "migrated").whenComplete((v, e) -> {
            var replied = e == null ? control.success(seq, w -> { })
                    : control.error(seq, Failures.status(e), Failures.message(e));
            if (log.isDebugEnabled()) {
                long answered = Session.epochMicros();
                replied.addListener(f -> log.debug("session {}: MIGRATED read at {} us (epoch), answered at {}, the"
                        + " answer flushed at {}", session.id(), readAt, answered, Session.epochMicros()));
            }
            log.info("session {}: migration committed; the client was redirected in {} ms", session.id(),
                    millis(System.nanoTime() - committing));
            // after the reply, which ends the pause the agent measures: closing the log syncs its files
            if (sessionLog != null) {
                sessionLog.release();
                sessionLog.close();
            }
            sender.close();
        });
    }

    @Override
    public void connectionClosed() {
        abort("the agent's control connection closed before the commit");
    }

    /** Gives up unless committed: tells the target, and resumes the session if it was paused. */
    private void abort(String reason) {
        MigrationSender s;
        boolean resume;
        synchronized (lock) {
            if (state == State.COMMITTED || state == State.ABORTED) {
                return;
            }
            state = State.ABORTED;
            s = sender;
            resume = paused;
        }
        log.warn("session {}: migration aborted: {}", session.id(), reason);
        if (s != null) {
            s.abort(reason);
            s.close();
        }
        SourceLog l = sessionLog;
        if (l != null) {
            l.close();
        }
        if (resume) {
            session.resume();
        }
    }
}
