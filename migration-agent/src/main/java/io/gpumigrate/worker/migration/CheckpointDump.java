package io.gpumigrate.worker.migration;

import static io.gpumigrate.checkpoint.transfer.FinishTimes.millis;

import io.gpumigrate.checkpoint.CheckpointStats;
import io.gpumigrate.checkpoint.CheckpointWriter;
import io.gpumigrate.checkpoint.CaptureMemory;
import io.gpumigrate.checkpoint.HostStaging;
import io.gpumigrate.device.AddressRange;
import io.gpumigrate.checkpoint.ImageLog;
import io.gpumigrate.checkpoint.SessionImage;
import io.gpumigrate.device.CuResult;
import io.gpumigrate.checkpoint.ChunkCodec;
import io.gpumigrate.device.ChunkDigests;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.protocol.BodyReader;
import io.gpumigrate.protocol.BodyWriter;
import io.gpumigrate.protocol.Frame;
import io.gpumigrate.protocol.Op;
import io.gpumigrate.worker.Session;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * {@code DUMP} (body after the secret: {@code str directory, u8 leaveRunning}, optional {@code
 * str program}, kept in the image as {@value #PROGRAM}): pauses the
 * session, writes it as a checkpoint image, then resumes it ({@code leaveRunning}) or ends it,
 * as {@code criu dump} does by default: the client then gets {@code CHECKPOINTED} after every
 * reply, and waits for the session to be restored somewhere. The image carries the session's
 * replay log as it is at the pause ({@link SourceLog}). Replies {@code u64 bytesWritten, u64
 * pauseMicros}: the pause the program saw, from the pause to the resume (left running: once the
 * device's memory and the log have been read; the files are forced to disk and the image renamed
 * into place while it runs) or to the complete image. On a failure nothing is left on disk and
 * the session resumes (or runs on).
 *
 * <p>Thread-safe: the work runs on its own thread.
 */
public final class CheckpointDump implements ControlOperation {

    private static final Logger log = LoggerFactory.getLogger(CheckpointDump.class);

    /** The image extension that names the session's program (what {@code gpumigrate ps} shows). */
    public static final String PROGRAM = "session.program";

    private final Session session;
    private final ControlChannel control;

    CheckpointDump(Session session, ControlChannel control) {
        this.session = session;
        this.control = control;
    }

    @Override
    public void start(long seq, BodyReader body) throws CudaException {
        Path directory = Path.of(body.str());
        boolean leaveRunning = body.u8() != 0;
        String program = body.remaining() > 0 ? body.str() : ""; // optional: the label ps shows
        // the worker does not exit before the image is complete and the reply written, even if the
        // session, left running, ends meanwhile (its client said GOODBYE while the image was sealed)
        CompletableFuture<Void> done = new CompletableFuture<>();
        session.exitBarrier().hold("the dump to " + directory, done);
        Thread.ofVirtual().name("dump-" + session.id()).start(() -> {
            ChannelFuture reply = null;
            CaptureMemory memory = null;
            boolean paused = false;
            try {
                // digest kernels loaded now, not in the pause (the writer digests every chunk); ahead of
                // the queued calls, so that the dump starts now, not after every pipelined launch
                long bytes = session.onUrgentExecutor(() -> {
                    var allocations = session.device().allocations();
                    ChunkDigests.ready(session.device(), allocations, ChunkCodec.DEFAULT_CHUNK_SIZE);
                    return allocations.stream().mapToLong(AddressRange::size).sum();
                }).get();
                // what writers killed mid-image left beside it goes now, not in the pause
                for (Path left : CheckpointWriter.removeUnfinished(directory)) {
                    log.info("session {}: removed {}, an image that an ended process left unfinished", session.id(), left);
                }
                // the writer's buffers are taken now, not in the pause; left running, also host memory
                // that holds the device's memory from the pause until it is encoded, so that the
                // session resumes after the copies alone
                CheckpointWriter writer = new CheckpointWriter();
                long reserveStart = System.nanoTime();
                memory = writer.reserve(leaveRunning ? Math.min(bytes, HostStaging.defaultLimit()) : 0);
                long pauseStart = System.nanoTime();
                session.pause().get();
                paused = true;
                long drained = System.nanoTime();
                SessionImage image = labelled(session.exportImage().get(), program);
                var progress = control.progress(seq);
                ImageLog.Source logFiles = SourceLog.forImage(session);
                long exported = System.nanoTime();
                CaptureMemory reserved = memory;
                CheckpointWriter.Capture capture = session.onExecutor(() -> writer
                        .capture(image, session.device(), directory, progress, logFiles, reserved)).get();
                memory = null; // the capture owns it now, and frees it
                long captured = System.nanoTime();
                if (leaveRunning) {
                    // the device's memory and the log are read: the rest (the last chunks, forcing the
                    // files to disk, the manifest) goes on while the session runs
                    session.resume();
                    paused = false;
                }
                CheckpointStats stats = capture.seal();
                long sealed = System.nanoTime();
                long pauseNanos = (leaveRunning ? captured : sealed) - pauseStart;
                log.info("session {}: checkpointed to {} ({} bytes of device memory, {} stored); paused {} ms: drain {},"
                        + " state and log {}, device reads {} ({}; the dump's host memory taken in {} ms before the"
                        + " pause); sealing {} ms {}",
                        session.id(), directory, stats.rawBytes(), stats.storedBytes(), millis(pauseNanos),
                        millis(drained - pauseStart), millis(exported - drained), millis(captured - exported),
                        capture.readBreakdown(), millis(pauseStart - reserveStart),
                        millis(sealed - captured), leaveRunning ? "after the resume; left running" : "in the pause");
                long pauseMicros = pauseNanos / 1000;
                reply = control.success(seq, w -> w.u64(stats.storedBytes()).u64(pauseMicros)).addListener(f -> {
                    if (!leaveRunning) {
                        // after the reply: the client learns it must wait for a restore, and the worker exits
                        session.redirect(checkpointed(directory), "checkpointed to " + directory);
                    }
                });
            } catch (Exception e) {
                if (paused) {
                    session.resume();
                }
                reply = control.error(seq, Failures.status(e), "dumping session " + session.id() + " to " + directory
                        + " failed: " + Failures.message(e));
            } finally {
                if (memory != null) {
                    memory.close(); // the dump failed before its capture took the memory (idempotent)
                }
                if (reply == null) {
                    done.complete(null);
                } else {
                    reply.addListener(f -> done.complete(null));
                }
            }
        });
    }

    /** {@code image} with the program's label as the extension {@value #PROGRAM}, so that a restore shows it. */
    private static SessionImage labelled(SessionImage image, String program) {
        if (program.isEmpty()) {
            return image;
        }
        var extensions = new java.util.TreeMap<>(image.extensions());
        extensions.put(PROGRAM, program);
        return new SessionImage(image.window(), image.lastAppliedSeq(), image.contexts(), image.allocations(),
                image.modules(), image.functions(), image.globals(), image.streams(), image.events(), extensions);
    }

    /** The frame that tells the client its session was dumped and ended here: {@code u64 session, str directory}. */
    private Frame checkpointed(Path directory) {
        Frame frame = Frame.of(Op.CHECKPOINTED, false, 0, Unpooled.buffer());
        new BodyWriter(frame.body()).u64(session.id()).str(directory.toString());
        return frame;
    }

    @Override
    public void next(Op op, long seq, BodyReader body) throws CudaException {
        throw new CudaException(CuResult.NOT_SUPPORTED, op + " after DUMP; a dump takes one call");
    }

    @Override
    public void connectionClosed() {
        // a dump already under way completes; its reply finds the connection gone
    }
}
