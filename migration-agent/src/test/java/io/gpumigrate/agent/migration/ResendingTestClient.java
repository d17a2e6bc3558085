package io.gpumigrate.agent.migration;

import io.gpumigrate.agent.AgentClient;
import io.gpumigrate.agent.HostPort;
import io.gpumigrate.agent.SessionEndpoint;
import io.gpumigrate.device.CuResult;
import io.gpumigrate.protocol.BodyReader;
import io.gpumigrate.protocol.BodyWriter;
import io.gpumigrate.protocol.Frame;
import io.gpumigrate.protocol.FrameSocket;
import io.gpumigrate.protocol.Handshake;
import io.gpumigrate.protocol.Op;
import io.gpumigrate.protocol.Replies;
import io.gpumigrate.worker.WireTestClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.io.Closeable;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A client that follows its session as the client library must (docs/migration-protocol.md):
 * it keeps every frame above the last applied seq it knows of, follows {@code MIGRATED} to the
 * target, ATTACHes there and resends what the target has not applied; on a connection closed
 * without {@code MIGRATED}, or after {@code CHECKPOINTED}, it asks its agent ({@code
 * SESSION_LOCATE}) until the session is found, and does the same.
 * Not thread-safe.
 */
final class ResendingTestClient implements Closeable {

    private record Sent(Op op, boolean replyWanted, byte[] body) {
    }

    private static final long LOCATE_DEADLINE_MILLIS = 60_000;

    private final HostPort agent;
    private final long session;
    private final TreeMap<Long, Sent> unapplied = new TreeMap<>();
    private FrameSocket socket;
    private String secret;
    private long seq;
    private int moves;
    private int checkpointed;
    private long resent;
    private long lastApplied;

    private ResendingTestClient(HostPort agent, long session) {
        this.agent = agent;
        this.session = session;
    }

    /** Drops MIGRATED frames, as when the source dies after the commit before its redirect reaches the client. */
    boolean ignoreMigrated;

    /** Attaches to a session that already exists (restored, or left by another client), found through {@code agent}. */
    static ResendingTestClient reattach(HostPort agent, long session, long nextSeq) throws Exception {
        ResendingTestClient client = new ResendingTestClient(agent, session);
        client.seq = nextSeq - 1;
        client.attach(new ControlClient(agent, "").locate(session));
        return client;
    }

    /** The lastApplied the latest ATTACH reported. */
    long lastApplied() {
        return lastApplied;
    }

    /** The seq of the last call sent. */
    long lastSeq() {
        return seq;
    }

    static ResendingTestClient open(HostPort agent, String program) throws Exception {
        Handshake.HelloReply hello = new AgentClient(agent, "").hello(program, ProcessHandle.current().pid());
        ResendingTestClient client = new ResendingTestClient(agent, hello.session());
        client.attach(new SessionEndpoint(hello.workerHost(), hello.workerPort(), hello.secret()));
        return client;
    }

    long session() {
        return session;
    }

    /** How many times the client followed its session to another worker. */
    int moves() {
        return moves;
    }

    /** How many CHECKPOINTED frames came (a dump that ended the session). */
    int checkpointed() {
        return checkpointed;
    }

    /**
     * Reads the next frame without sending anything, which must be {@code CHECKPOINTED} for this
     * session; returns the directory it names. Fails with what came instead.
     */
    String awaitCheckpointed() throws IOException {
        Frame in = socket.receive();
        try {
            if (in.op() != Op.CHECKPOINTED) {
                throw new IOException("expected CHECKPOINTED, got " + in);
            }
            checkpointed++;
            BodyReader r = new BodyReader(in.body(), Op.CHECKPOINTED);
            long id = r.u64();
            if (id != session) {
                throw new IOException("CHECKPOINTED for session " + id + ", this client has " + session);
            }
            return r.str();
        } catch (io.gpumigrate.device.CudaException e) {
            throw new IOException(e);
        } finally {
            in.release();
        }
    }

    /** Frames sent again after a move. */
    long resent() {
        return resent;
    }

    WireTestClient.Reply call(Op op, Consumer<BodyWriter> body) throws IOException {
        long mine = send(op, true, body);
        while (true) {
            Frame in = receive();
            try {
                if (in.op() == Op.CHECKPOINTED) {
                    checkpointed++;
                    relocate(); // the session was dumped and ended: it is found again once restored
                    continue;
                }
                if (in.op() == Op.MIGRATED) {
                    if (ignoreMigrated) {
                        relocate();
                    } else {
                        follow(in.body());
                    }
                    continue;
                }
                if (in.op() == Op.REPLY && in.seq() == mine) {
                    unapplied.headMap(mine, true).clear();
                    return toReply(in);
                }
            } finally {
                in.release();
            }
        }
    }

    void async(Op op, Consumer<BodyWriter> body) throws IOException {
        send(op, false, body);
    }

    private long send(Op op, boolean replyWanted, Consumer<BodyWriter> body) throws IOException {
        ByteBuf buf = Unpooled.buffer();
        body.accept(new BodyWriter(buf));
        long mine = ++seq;
        unapplied.put(mine, new Sent(op, replyWanted, ByteBufUtil.getBytes(buf)));
        try {
            socket.send(Frame.of(op, replyWanted, mine, buf));
        } catch (IOException e) {
            // the worker went away mid-write: the frame stays buffered and goes again after the reconnect
            relocate();
        }
        return mine;
    }

    private Frame receive() throws IOException {
        while (true) {
            try {
                return socket.receive();
            } catch (IOException e) {
                relocate();
            }
        }
    }

    private void follow(ByteBuf migrated) throws IOException {
        try {
            BodyReader r = new BodyReader(migrated, Op.MIGRATED);
            long id = r.u64();
            if (id != session) {
                throw new IOException("MIGRATED for session " + id + ", this client has " + session);
            }
            SessionEndpoint target = new SessionEndpoint(r.str(), r.u16(), r.str());
            socket.close();
            attach(target);
        } catch (io.gpumigrate.device.CudaException e) {
            throw new IOException(e);
        }
    }

    private void relocate() throws IOException {
        socket.close();
        long deadline = System.currentTimeMillis() + LOCATE_DEADLINE_MILLIS;
        IOException last = null;
        while (System.currentTimeMillis() < deadline) {
            try {
                attach(new ControlClient(agent, "").locate(session));
                return;
            } catch (IOException e) {
                last = e;
            } catch (io.gpumigrate.device.CudaException e) {
                last = new IOException(e);
            }
            try {
                Thread.sleep(50); // back off before asking again, as the client library does
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while locating session " + session);
            }
        }
        throw new IOException("session " + session + " could not be located", last);
    }

    private void attach(SessionEndpoint target) throws IOException {
        socket = FrameSocket.connect(target.host(), target.port(), 60_000);
        ByteBuf body = Unpooled.buffer();
        Handshake.writeAttach(body, session, target.secret());
        socket.send(Frame.of(Op.ATTACH, true, 0, body));
        Frame reply = socket.receive();
        try {
            if (Replies.readStatus(reply) != CuResult.SUCCESS) {
                throw new IOException("ATTACH to " + target + " refused: " + toReply(reply).message());
            }
            lastApplied = reply.body().readLongLE();
            if (secret != null) {
                moves++;
            }
            secret = target.secret();
            unapplied.headMap(lastApplied, true).clear();
            for (Map.Entry<Long, Sent> e : unapplied.entrySet()) {
                Sent s = e.getValue();
                socket.send(Frame.of(s.op(), s.replyWanted(), e.getKey(), Unpooled.wrappedBuffer(s.body())));
                resent++;
            }
        } finally {
            reply.release();
        }
    }

    private static WireTestClient.Reply toReply(Frame frame) {
        int status = Replies.readStatus(frame);
        if (status == CuResult.SUCCESS) {
            return new WireTestClient.Reply(frame.seq(), status, "", ByteBufUtil.getBytes(frame.body()));
        }
        String message;
        try {
            message = new BodyReader(frame.body(), "reply").str();
        } catch (Exception e) {
            message = "";
        }
        return new WireTestClient.Reply(frame.seq(), status, message, new byte[0]);
    }

    @Override
    public void close() throws IOException {
        if (socket != null) {
            try {
                call(Op.GOODBYE, w -> { });
            } finally {
                socket.close();
            }
        }
    }
}
