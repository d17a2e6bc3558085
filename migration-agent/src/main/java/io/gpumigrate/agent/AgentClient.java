package io.gpumigrate.agent;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.protocol.BodyReader;
import io.gpumigrate.protocol.BodyWriter;
import io.gpumigrate.protocol.Frame;
import io.gpumigrate.protocol.FrameSocket;
import io.gpumigrate.protocol.Handshake;
import io.gpumigrate.protocol.Op;
import io.gpumigrate.protocol.Replies;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A blocking client of a node agent, for the CLI and tests: one connection per request.
 * Thread-safe (stateless).
 */
public final class AgentClient {

    private static final int TIMEOUT_MILLIS = 90_000;

    private final HostPort agent;
    private final String token;

    /** @param token the agent's token, or empty when it requires none */
    public AgentClient(HostPort agent, String token) {
        this.agent = agent;
        this.token = token == null ? "" : token;
    }

    /** Opens a session as a client library would: HELLO, answered once the worker listens. */
    public Handshake.HelloReply hello(String program, long pid) throws IOException, CudaException {
        ByteBuf body = Unpooled.buffer();
        Handshake.writeHello(body, token, program, pid);
        try (FrameSocket socket = FrameSocket.connect(agent.host(), agent.port(), TIMEOUT_MILLIS)) {
            socket.send(Frame.of(Op.HELLO, true, 0, body));
            return Handshake.readHelloReply(results(socket.receive()));
        }
    }

    /** The agent's sessions, live ones first. */
    public List<SessionInfo> sessions() throws IOException, CudaException {
        ByteBuf body = Unpooled.buffer();
        if (!token.isEmpty()) {
            new BodyWriter(body).str(token);
        }
        try (FrameSocket socket = FrameSocket.connect(agent.host(), agent.port(), TIMEOUT_MILLIS)) {
            socket.send(Frame.of(Op.SESSION_LIST, true, 0, body));
            BodyReader r = new BodyReader(results(socket.receive()), "SESSION_LIST reply");
            long count = r.u32();
            List<SessionInfo> sessions = new ArrayList<>();
            for (long i = 0; i < count; i++) {
                sessions.add(SessionInfo.readFrom(r));
            }
            return sessions;
        }
    }

    /** The results of a successful reply, or its error as a {@link CudaException}. */
    private static ByteBuf results(Frame reply) throws CudaException {
        int status = Replies.readStatus(reply);
        if (status != CuResult.SUCCESS) {
            String message = new BodyReader(reply.body(), "reply").str();
            throw new CudaException(status, message);
        }
        return reply.body();
    }
}
