package io.gpumigrate.worker;

import io.gpumigrate.device.CudaException;
import io.gpumigrate.protocol.BodyReader;
import io.gpumigrate.protocol.Op;
import io.gpumigrate.worker.shm.SharedMemoryWindow;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;

/**
 * Turns the shared-memory copies of a client on the worker's host into the calls a replay can
 * run without that client: {@code MEMCPY_HTOD_SHM} is logged as {@code MEMCPY_HTOD} carrying the
 * bytes it read from the shared window (copied before the call runs, while the client still
 * leaves them alone, into a pooled direct buffer, by several threads for a large copy: see
 * {@link ParallelCopy}), {@code MEMCPY_DTOH_SHM} as {@code MEMCPY_DTOH}, and {@code SHM_ATTACH},
 * which changes no device state, is not logged. The window is mapped a second time for this.
 *
 * <p>Not thread-safe: the session's executor only.
 */
final class SharedMemoryRecording implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SharedMemoryRecording.class);

    /** A call as it goes to the log: its op and body (a new buffer the caller owns). */
    record Translated(Op op, ByteBuf body) {
    }

    private SharedMemoryWindow window;

    /** Whether {@code op} is one of the shared-memory operations this class translates. */
    static boolean handles(Op op) {
        return op == Op.SHM_ATTACH || op == Op.MEMCPY_HTOD_SHM || op == Op.MEMCPY_DTOH_SHM;
    }

    /**
     * The call to log in place of a shared-memory call, or {@code null} when none is to be logged
     * (SHM_ATTACH, or a copy whose window or range is unusable: it fails in the session too).
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
                case MEMCPY_HTOD_SHM -> {
                    long dst = in.u64();
                    long stream = in.u64();
                    long offset = in.u64();
                    long bytes = in.u64();
                    if (window == null || bytes > Integer.MAX_VALUE - 16) {
                        return null;
                    }
                    MemorySegment src = window.slice("MEMCPY_HTOD_SHM", offset, bytes);
                    ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer(16 + (int) bytes)
                            .writeLongLE(dst).writeLongLE(stream);
                    int at = out.writerIndex();
                    out.writerIndex(at + (int) bytes);
                    ParallelCopy.copy(src, MemorySegment.ofBuffer(out.nioBuffer(at, (int) bytes)));
                    return new Translated(Op.MEMCPY_HTOD, out);
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
                default -> throw new IllegalArgumentException(op + " is not a shared-memory operation");
            }
        } catch (CudaException e) {
            log.debug("{} not logged: {}", op, e.getMessage());
            return null;
        }
    }

    @Override
    public void close() {
        if (window != null) {
            window.close();
            window = null;
        }
    }
}
