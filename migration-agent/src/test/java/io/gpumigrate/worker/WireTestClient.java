package io.gpumigrate.worker;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.protocol.BodyReader;
import io.gpumigrate.protocol.BodyWriter;
import io.gpumigrate.protocol.Frame;
import io.gpumigrate.protocol.FrameSocket;
import io.gpumigrate.protocol.Handshake;
import io.gpumigrate.protocol.Op;
import io.gpumigrate.protocol.Replies;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.io.Closeable;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * A test client that speaks the real wire protocol over TCP, the way the client library does:
 * it numbers calls, sets REPLY_WANTED on CALL and SYNC operations and pipelines ASYNC ones.
 * Not thread-safe.
 */
public final class WireTestClient implements Closeable {

    /** A reply: its status, and either its results (success) or its message (failure). */
    public record Reply(long seq, int status, String message, byte[] results) {

        public BodyReader reader() {
            return new BodyReader(Unpooled.wrappedBuffer(results), "reply");
        }

        public Reply expectSuccess() {
            if (status != CuResult.SUCCESS) {
                throw new AssertionError("expected success, got " + CuResult.name(status) + ": " + message);
            }
            return this;
        }
    }

    private final FrameSocket socket;
    private long seq;

    private WireTestClient(FrameSocket socket) {
        this.socket = socket;
    }

    /** Connects without attaching. */
    public static WireTestClient connect(int port) throws IOException {
        return new WireTestClient(FrameSocket.connect("127.0.0.1", port, 20_000));
    }

    /** Connects and attaches to {@code session}, failing unless the worker accepts. */
    public static WireTestClient attach(int port, long session, String secret) throws IOException {
        WireTestClient client = connect(port);
        Reply reply = client.attachReply(session, secret);
        if (reply.status() != CuResult.SUCCESS) {
            client.close();
            throw new IOException("ATTACH refused: " + CuResult.name(reply.status()) + " " + reply.message());
        }
        return client;
    }

    public Reply attachReply(long session, String secret) throws IOException {
        ByteBuf body = Unpooled.buffer();
        Handshake.writeAttach(body, session, secret);
        socket.send(Frame.of(Op.ATTACH, true, 0, body));
        return receive();
    }

    /** Sends a call with REPLY_WANTED and waits for its reply. */
    public Reply call(Op op, Consumer<BodyWriter> body) throws IOException {
        long s = send(op, true, body);
        Reply reply = receive();
        if (reply.seq() != s) {
            throw new AssertionError("reply to seq " + reply.seq() + " while waiting for " + s);
        }
        return reply;
    }

    /** Sends a call without REPLY_WANTED, as the client library sends ASYNC operations. */
    public void async(Op op, Consumer<BodyWriter> body) throws IOException {
        send(op, false, body);
    }

    /** Sends a frame with the next seq; returns that seq. */
    public long send(Op op, boolean replyWanted, Consumer<BodyWriter> body) throws IOException {
        ByteBuf buf = Unpooled.buffer();
        body.accept(new BodyWriter(buf));
        socket.send(Frame.of(op, replyWanted, ++seq, buf));
        return seq;
    }

    /** Sends any frame as it is (the caller picks the seq). */
    public void sendFrame(Frame frame) throws IOException {
        socket.send(frame);
    }

    public void sendRaw(byte[] bytes) throws IOException {
        socket.sendRaw(bytes);
    }

    /** The next frame as it came (a MIGRATED, say); the caller releases it. */
    public Frame receiveFrame() throws IOException {
        return socket.receive();
    }

    public Reply receive() throws IOException {
        Frame frame = socket.receive();
        try {
            int status = Replies.readStatus(frame);
            if (status == CuResult.SUCCESS) {
                return new Reply(frame.seq(), status, "", ByteBufUtil.getBytes(frame.body()));
            }
            String message;
            try {
                message = new BodyReader(frame.body(), "reply").str();
            } catch (Exception e) {
                message = "<no message>";
            }
            return new Reply(frame.seq(), status, message, new byte[0]);
        } finally {
            frame.release();
        }
    }

    public long lastSeq() {
        return seq;
    }

    /** Makes the next call use {@code next}. */
    public void setNextSeq(long next) {
        seq = next - 1;
    }

    public long memAlloc(long bytes) throws Exception {
        return call(Op.MEM_ALLOC, w -> w.u64(bytes)).expectSuccess().reader().u64();
    }

    public void copyHtoD(long dst, byte[] data) throws IOException {
        async(Op.MEMCPY_HTOD, w -> w.u64(dst).u64(0).bytes(data));
    }

    public byte[] copyDtoH(long src, long size) throws IOException {
        return call(Op.MEMCPY_DTOH, w -> w.u64(src).u64(size).u64(0)).expectSuccess().results();
    }

    public Reply synchronize() throws IOException {
        return call(Op.CTX_SYNCHRONIZE, w -> { });
    }

    public Reply goodbye() throws IOException {
        return call(Op.GOODBYE, w -> { });
    }

    public void setReadTimeout(int millis) throws IOException {
        socket.setReadTimeout(millis);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
