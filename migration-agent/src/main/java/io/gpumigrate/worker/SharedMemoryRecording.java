package io.gpumigrate.worker;

import io.gpumigrate.device.CudaException;
import io.gpumigrate.protocol.BodyReader;
import io.gpumigrate.protocol.Op;
import io.gpumigrate.worker.shm.SharedMemoryWindow;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;

/**
 * Turns the shared-memory copies of a client on the worker's host into the calls a replay can
 * run without that client: {@code MEMCPY_HTOD_SHM} is logged as {@code MEMCPY_HTOD} carrying the
 * bytes it read from the shared window, {@code MEMCPY_DTOH_SHM} as {@code MEMCPY_DTOH}, and
 * {@code SHM_ATTACH}, which changes no device state, is not logged. The window is mapped a second
 * time for this.
 *
 * <p>An upload's bytes are copied out of the window by helper threads while the session thread
 * runs the call ({@link #startUpload}, {@link ParallelCopy}), into a reused buffer
 * ({@link UploadCopyBuffers}); {@link Upload#finish} waits for the copy, and must return before
 * the call's reply releases the slot to the client, who may then rewrite it.
 *
 * <p>Not thread-safe: the session's executor only.
 */
final class SharedMemoryRecording implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SharedMemoryRecording.class);
    /** Bytes of a MEMCPY_HTOD body before its payload: u64 dst, u64 stream. */
    private static final int HTOD_HEADER = 16;

    /** A call as it goes to the log: its op and body (a new buffer the caller owns). */
    record Translated(Op op, ByteBuf body) {
    }

    /** An upload whose bytes are being copied for the log. */
    static final class Upload {
        private final ByteBuf body;
        private final ParallelCopy copy;

        private Upload(ByteBuf body, ParallelCopy copy) {
            this.body = body;
            this.copy = copy;
        }

        /** Waits until the bytes are copied (helping copy them); returns the MEMCPY_HTOD to log, the caller's. */
        Translated finish() {
            copy.finish();
            return new Translated(Op.MEMCPY_HTOD, body);
        }
    }

    private final UploadCopyBuffers buffers = new UploadCopyBuffers();
    private SharedMemoryWindow window;

    /** Whether {@code op} is one of the shared-memory operations this class translates. */
    static boolean handles(Op op) {
        return op == Op.SHM_ATTACH || op == Op.MEMCPY_HTOD_SHM || op == Op.MEMCPY_DTOH_SHM;
    }

    /**
     * Starts copying the bytes a {@code MEMCPY_HTOD_SHM} with {@code body} reads; {@code null}
     * when it is not to be logged (no usable window or range: the call fails in the session too).
     * The caller must {@link Upload#finish} it before the call's reply goes out.
     */
    Upload startUpload(ByteBuf body) {
        BodyReader in = new BodyReader(body.duplicate(), Op.MEMCPY_HTOD_SHM);
        try {
            long dst = in.u64();
            long stream = in.u64();
            long offset = in.u64();
            long bytes = in.u64();
            if (window == null || bytes < 0 || bytes > Integer.MAX_VALUE - HTOD_HEADER) {
                return null;
            }
            MemorySegment src = window.slice("MEMCPY_HTOD_SHM", offset, bytes);
            int n = (int) bytes;
            ByteBuf out = buffers.acquire(HTOD_HEADER + n).writeLongLE(dst).writeLongLE(stream);
            out.writerIndex(HTOD_HEADER + n);
            return new Upload(out, ParallelCopy.start(src, MemorySegment.ofBuffer(out.nioBuffer(HTOD_HEADER, n))));
        } catch (CudaException e) {
            log.debug("MEMCPY_HTOD_SHM not logged: {}", e.getMessage());
            return null;
        }
    }

    /**
     * The call to log in place of a {@code SHM_ATTACH} or {@code MEMCPY_DTOH_SHM}, or {@code null}
     * when none is to be logged (SHM_ATTACH, or a copy whose window or range is unusable).
     */
    Translated translate(Op op, ByteBuf body) {
        BodyReader in = new BodyReader(body.duplicate(), op);
        try {
            switch (op) {
                case SHM_ATTACH -> {
                    long bytes = in.u64();
                    String path = in.str();
                    if (window == null) {
                        window = SharedMemoryWindow.map(path, bytes);
                    }
                    return null;
                }
                case MEMCPY_DTOH_SHM -> {
                    long src = in.u64();
                    long stream = in.u64();
                    in.u64();
                    long bytes = in.u64();
                    if (window == null) {
                        // fails in the session too (a client that has not attached its window to this
                        // worker yet, as after a migration, then retries): a replay could not reproduce it
                        return null;
                    }
                    return new Translated(Op.MEMCPY_DTOH, Unpooled.buffer(24).writeLongLE(src).writeLongLE(bytes)
                            .writeLongLE(stream));
                }
                default -> throw new IllegalArgumentException(op + " is not translated here");
            }
        } catch (CudaException e) {
            log.debug("{} not logged: {}", op, e.getMessage());
            return null;
        }
    }

    @Override
    public void close() {
        log.debug("{}", buffers);
        buffers.close();
        if (window != null) {
            window.close();
            window = null;
        }
    }
}
