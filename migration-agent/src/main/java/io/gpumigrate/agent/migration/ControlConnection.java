package io.gpumigrate.agent.migration;

import io.gpumigrate.agent.HostPort;
import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.protocol.BodyReader;
import io.gpumigrate.protocol.BodyWriter;
import io.gpumigrate.protocol.Frame;
import io.gpumigrate.protocol.FrameSocket;
import io.gpumigrate.protocol.Op;
import io.gpumigrate.protocol.Replies;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * A blocking connection for control calls (to an agent or a worker): each call sends one
 * frame and reads {@code PROGRESS} frames, handed to a listener, until the {@code REPLY}.
 * Several calls may follow one another on one connection (prepare, then commit).
 *
 * <p>Not thread-safe: one thread calls.
 */
public final class ControlConnection implements Closeable {

    /** A PROGRESS frame's content (docs/migration-protocol.md). */
    public record Progress(String phase, long bytesDone, long bytesTotal, long elapsedMicros) {

        static Progress read(ByteBuf body) throws CudaException {
            BodyReader r = new BodyReader(body, Op.PROGRESS);
            return new Progress(r.str(), r.u64(), r.u64(), r.u64());
        }

        void writeTo(BodyWriter w) {
            w.str(phase).u64(bytesDone).u64(bytesTotal).u64(elapsedMicros);
        }
    }

    private final FrameSocket socket;
    private final String peer;
    private long seq;

    private ControlConnection(FrameSocket socket, String peer) {
        this.socket = socket;
        this.peer = peer;
    }

    /**
     * Connects to {@code address}.
     *
     * @param timeoutMillis connect timeout and the longest wait for any frame (0: none)
     */
    public static ControlConnection open(HostPort address, int timeoutMillis) throws IOException {
        return new ControlConnection(FrameSocket.connect(address.host(), address.port(), timeoutMillis),
                address.toString());
    }

    /** A call whose reply comes without progress. */
    public ByteBuf call(Op op, Consumer<BodyWriter> body) throws IOException, CudaException {
        return call(op, body, p -> { });
    }

    /**
     * Sends {@code op} with the body {@code body} writes and waits for its reply.
     *
     * @return the reply's results (after the status)
     * @throws CudaException the reply's error status and message
     */
    public ByteBuf call(Op op, Consumer<BodyWriter> body, Consumer<Progress> progress) throws IOException, CudaException {
        ByteBuf buffer = Unpooled.buffer();
        body.accept(new BodyWriter(buffer));
        long mine = ++seq;
        socket.send(Frame.of(op, true, mine, buffer));
        return awaitReply(mine, op, f -> progress.accept(readProgress(f)));
    }

    /**
     * Sends {@code frame} as it is (a forwarded call) and hands every frame that answers it,
     * the PROGRESS frames and then the REPLY, to {@code relay}; returns after the REPLY.
     */
    public void forward(Frame frame, Consumer<Frame> relay) throws IOException {
        long callSeq = frame.seq();
        socket.send(frame);
        while (true) {
            Frame in = receive(frame.op());
            if (in.seq() == callSeq && (in.op() == Op.REPLY || in.op() == Op.PROGRESS)) {
                relay.accept(in);
                if (in.op() == Op.REPLY) {
                    return;
                }
            } else {
                in.release();
            }
        }
    }

    /** The next frame; a connection closed before the answer says so, naming the peer and the call. */
    private Frame receive(Op op) throws IOException {
        try {
            return socket.receive();
        } catch (EOFException e) {
            throw new EOFException(peer + " closed the connection before answering " + op);
        }
    }

    private ByteBuf awaitReply(long mine, Op op, Consumer<Frame> progress) throws IOException, CudaException {
        while (true) {
            Frame in = receive(op);
            if (in.seq() != mine) {
                in.release();
                continue;
            }
            if (in.op() == Op.PROGRESS) {
                progress.accept(in);
                continue;
            }
            if (in.op() != Op.REPLY) {
                throw new IOException(peer + " answered " + op + " with " + in);
            }
            int status = Replies.readStatus(in);
            if (status != CuResult.SUCCESS) {
                String message = in.body().isReadable() ? new BodyReader(in.body(), "reply").str() : "";
                throw new CudaException(status, message);
            }
            return in.body();
        }
    }

    private static Progress readProgress(Frame f) {
        try {
            return Progress.read(f.body());
        } catch (CudaException e) {
            return new Progress("?", 0, 0, 0);
        }
    }

    /** {@code message} without the leading {@code "CUDA_ERROR_X (n): "} prefixes, which a reply's status says already. */
    public static String plain(String message) {
        return Responder.plain(message);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing is all that is left to do
        }
    }
}
