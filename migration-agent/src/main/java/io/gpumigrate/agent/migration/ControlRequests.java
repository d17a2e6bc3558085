package io.gpumigrate.agent.migration;

import io.gpumigrate.agent.AgentClient;
import io.gpumigrate.agent.HostPort;
import io.gpumigrate.agent.NodeAgent;
import io.gpumigrate.agent.SessionEndpoint;
import io.gpumigrate.agent.SessionInfo;
import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.protocol.BodyReader;
import io.gpumigrate.protocol.Frame;
import io.gpumigrate.protocol.Op;
import io.gpumigrate.worker.migration.MigrationFlags;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An agent's control calls (docs/migration-protocol.md): {@code SESSION_LOCATE}, {@code
 * NODE_LIST}, {@code CORDON}/{@code UNCORDON}, {@code MIGRATE}, {@code DUMP}, {@code
 * RESTORE}, {@code DRAIN}, and {@code MIGRATE_PREPARE} from a peer. A call about a session
 * or node this agent does not hold is forwarded to the peer that does; its PROGRESS frames
 * and REPLY are relayed. Each call runs on a virtual thread of its own.
 *
 * <p>Thread-safe.
 */
public final class ControlRequests {

    private static final Logger log = LoggerFactory.getLogger(ControlRequests.class);
    static final int PEER_TIMEOUT_MILLIS = 10_000;

    private final NodeAgent agent;
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
    private final MigrationCoordinator coordinator;
    private final CheckpointRequests checkpoints;
    private final Drain drain;

    public ControlRequests(NodeAgent agent) {
        this.agent = agent;
        this.coordinator = new MigrationCoordinator(agent);
        this.checkpoints = new CheckpointRequests(agent);
        this.drain = new Drain(agent, this);
    }

    /** Whether {@code op} is a control call this class answers. */
    public static boolean handles(Op op) {
        return op != null && switch (op) {
            case SESSION_LOCATE, NODE_LIST, CORDON, UNCORDON, MIGRATE, DUMP, RESTORE, DRAIN, MIGRATE_PREPARE -> true;
            default -> false;
        };
    }

    /** Answers {@code frame} (a copy is kept; the caller still releases its own). Called on the event loop. */
    public void handle(ChannelHandlerContext ctx, Frame frame) {
        Frame call = new Frame(frame.opCode(), frame.flags(), frame.seq(), Unpooled.copiedBuffer(frame.body()));
        Responder responder = new Responder(ctx, call.seq());
        String localHost = ((InetSocketAddress) ctx.channel().localAddress()).getAddress().getHostAddress();
        calls.execute(() -> {
            try {
                answer(call, responder, localHost);
            } catch (CudaException e) {
                responder.error(e.result(), e.getMessage());
            } catch (IOException e) {
                responder.error(CuResult.OPERATING_SYSTEM, call.op() + " failed: " + e);
            } catch (RuntimeException e) {
                log.warn("{} failed", call.op(), e);
                responder.error(CuResult.UNKNOWN, call.op() + " failed: " + e);
            } finally {
                call.release();
            }
        });
    }

    private void answer(Frame call, Responder out, String localHost) throws CudaException, IOException {
        Op op = call.op();
        BodyReader in = new BodyReader(call.body().duplicate(), op);
        if (op == Op.SESSION_LOCATE) {
            long session = in.u64();
            if (!checkToken(in.str(), out, op)) {
                return;
            }
            locate(session, in.remaining() > 0 && in.u8() != 0, out);
            return;
        }
        if (!checkToken(in.str(), out, op)) {
            return;
        }
        switch (op) {
            case NODE_LIST -> nodeList(in.remaining() > 0 && in.u8() != 0, localHost, out);
            case CORDON, UNCORDON -> {
                String node = in.str();
                if (forwardToNode(node, call, out)) {
                    return;
                }
                agent.cordoned(op == Op.CORDON);
                out.success(w -> { });
            }
            case MIGRATE -> {
                long session = in.u64();
                String target = in.str();
                long timeout = in.u64();
                int flags = in.remaining() > 0 ? in.u8() : 0; // optional since 1.1
                if (agent.endpoint(session).isEmpty() && forwardToOwner(session, call, out)) {
                    return;
                }
                MigrationCoordinator.Outcome o = migrate(session, target, timeout, flags, out::progress);
                out.success(w -> w.u64(o.pauseMicros()).u64(o.totalMicros()).u64(o.bytesMoved()).str(o.targetNode()));
            }
            case DUMP -> {
                long session = in.u64();
                if (agent.endpoint(session).isEmpty() && forwardToOwner(session, call, out)) {
                    return;
                }
                checkpoints.dump(session, in.str(), in.u8() != 0, out);
            }
            case RESTORE -> {
                String directory = in.str();
                String onNode = in.str();
                if (forwardToNode(onNode, call, out)) {
                    return;
                }
                checkpoints.restore(directory, localHost, out);
            }
            case DRAIN -> {
                String node = in.str();
                long timeout = in.u64();
                boolean dryRun = in.u8() != 0;
                int parallel = in.remaining() > 0 ? in.u8() : Drain.DEFAULT_PARALLEL; // optional: older callers send none
                if (forwardToNode(node, call, out)) {
                    return;
                }
                drain.run(timeout, dryRun, parallel, out);
            }
            case MIGRATE_PREPARE -> prepare(in, localHost, out);
            default -> out.error(CuResult.NOT_SUPPORTED, op + " is not a control call");
        }
    }

    /** Migrates a session of this node with pre-copy; an empty {@code target} lets placement choose. */
    MigrationCoordinator.Outcome migrate(long session, String target, long timeoutMillis,
                                         java.util.function.Consumer<ControlConnection.Progress> progress)
            throws CudaException, IOException {
        return migrate(session, target, timeoutMillis, 0, progress);
    }

    /** As above, with {@link MigrationFlags} ({@code MIGRATE}'s optional {@code u8 flags}). */
    MigrationCoordinator.Outcome migrate(long session, String target, long timeoutMillis, int flags,
                                         java.util.function.Consumer<ControlConnection.Progress> progress)
            throws CudaException, IOException {
        MigrationFlags.check(flags);
        String chosen = target.isEmpty() ? Placement.choose(nodes(), agent.config().name()) : target;
        if (chosen.equals(agent.config().name())) {
            throw new CudaException(CuResult.INVALID_VALUE, "session " + session + " is already on node " + chosen);
        }
        HostPort address = agent.peers().get(chosen);
        if (address == null) {
            throw new CudaException(CuResult.NOT_FOUND, "node " + chosen + " is not a peer of " + agent.config().name()
                    + "; peers: " + agent.peers().keySet());
        }
        if (timeoutMillis <= 0) {
            throw new CudaException(CuResult.INVALID_VALUE, "timeout " + timeoutMillis + " ms must be positive");
        }
        return coordinator.migrate(session, chosen, address, timeoutMillis, flags, progress);
    }

    private void prepare(BodyReader in, String localHost, Responder out) throws CudaException {
        long session = in.u64();
        String secret = in.str();
        String program = in.str();
        long pid = in.u64();
        if (agent.cordoned()) {
            out.error(CuResult.NOT_PERMITTED, "node " + agent.config().name() + " is cordoned: it takes no sessions");
            return;
        }
        try {
            var reply = agent.openSession(session, secret, program, pid, localHost).join();
            out.success(w -> w.str(reply.workerHost()).u16(reply.workerPort()));
        } catch (IllegalStateException e) {
            out.error(CuResult.ILLEGAL_STATE, e.getMessage());
        } catch (java.util.concurrent.CompletionException e) {
            out.error(CuResult.OPERATING_SYSTEM, "cannot start a worker for session " + session + ": "
                    + e.getCause().getMessage());
        }
    }

    private void locate(long session, boolean localOnly, Responder out) {
        Optional<SessionEndpoint> here = agent.endpoint(session).filter(e -> !checkpoints.restoring(session));
        if (here.isPresent()) {
            SessionEndpoint e = here.get();
            out.success(w -> w.str(e.host()).u16(e.port()).str(e.secret()));
            return;
        }
        if (!localOnly) {
            for (Map.Entry<String, HostPort> peer : agent.peers().entrySet()) {
                try (ControlConnection c = ControlConnection.open(peer.getValue(), PEER_TIMEOUT_MILLIS)) {
                    BodyReader r = new BodyReader(c.call(Op.SESSION_LOCATE,
                            w -> w.u64(session).str(agent.peerToken()).u8(1)), "SESSION_LOCATE reply");
                    String host = r.str();
                    int port = r.u16();
                    String secret = r.str();
                    out.success(w -> w.str(host).u16(port).str(secret));
                    return;
                } catch (IOException | CudaException e) {
                    log.debug("peer {} does not have session {}: {}", peer.getKey(), session, e.getMessage());
                }
            }
        }
        out.error(CuResult.NOT_FOUND, "session " + session + " is live on no node of this cluster");
    }

    /** This node and, unless {@code localOnly}, every peer that answers. */
    private void nodeList(boolean localOnly, String localHost, Responder out) {
        java.util.List<NodeRow> rows = localOnly ? java.util.List.of(self(localHost)) : nodes(localHost);
        out.success(w -> {
            w.u32(rows.size());
            rows.forEach(r -> r.writeTo(w));
        });
    }

    java.util.List<NodeRow> nodes() {
        return nodes(agent.config().bind());
    }

    private java.util.List<NodeRow> nodes(String localHost) {
        java.util.List<NodeRow> rows = new java.util.ArrayList<>();
        rows.add(self(localHost));
        for (Map.Entry<String, HostPort> peer : agent.peers().entrySet()) {
            try (ControlConnection c = ControlConnection.open(peer.getValue(), PEER_TIMEOUT_MILLIS)) {
                BodyReader r = new BodyReader(c.call(Op.NODE_LIST, w -> w.str(agent.peerToken()).u8(1)), "NODE_LIST reply");
                if (r.u32() > 0) {
                    NodeRow row = NodeRow.readFrom(r);
                    rows.add(new NodeRow(peer.getKey(), peer.getValue().host(), peer.getValue().port(), row.cordoned(),
                            row.freeDeviceMemory(), row.sessions()));
                }
            } catch (IOException | CudaException e) {
                log.warn("peer {} at {} did not answer NODE_LIST: {}", peer.getKey(), peer.getValue(), e.getMessage());
            }
        }
        return rows;
    }

    private NodeRow self(String localHost) {
        return new NodeRow(agent.config().name(), localHost, agent.port(), agent.cordoned(), agent.freeDeviceMemory(),
                agent.sessions().live().size());
    }

    /** Forwards to the peer named {@code node} unless that is this node (or empty); true when forwarded. */
    private boolean forwardToNode(String node, Frame call, Responder out) throws CudaException, IOException {
        if (node.isEmpty() || node.equals(agent.config().name())) {
            return false;
        }
        HostPort peer = agent.peers().get(node);
        if (peer == null) {
            throw new CudaException(CuResult.NOT_FOUND, "node " + node + " is neither " + agent.config().name()
                    + " nor one of its peers " + agent.peers().keySet());
        }
        forward(peer, call, out);
        return true;
    }

    /** Forwards to the peer whose live sessions include {@code session}; false when none has it. */
    private boolean forwardToOwner(long session, Frame call, Responder out) throws IOException, CudaException {
        for (Map.Entry<String, HostPort> peer : agent.peers().entrySet()) {
            try {
                for (SessionInfo s : new AgentClient(peer.getValue(), agent.peerToken()).sessions()) {
                    if (s.session() == session && (s.state().equals("running") || s.state().equals("starting"))) {
                        forward(peer.getValue(), call, out);
                        return true;
                    }
                }
            } catch (IOException e) {
                log.warn("peer {} did not answer SESSION_LIST: {}", peer.getKey(), e.getMessage());
            }
        }
        throw new CudaException(CuResult.NOT_FOUND, "session " + session + " is live on no node of this cluster");
    }

    private static void forward(HostPort peer, Frame call, Responder out) throws IOException {
        try (ControlConnection c = ControlConnection.open(peer, 0)) {
            c.forward((Frame) call.retainedDuplicate(), out::relay);
        }
    }

    private boolean checkToken(String token, Responder out, Op op) {
        if (agent.config().accepts(token)) {
            return true;
        }
        out.refuse(CuResult.NOT_PERMITTED, op + " without the agent's token");
        return false;
    }

    public void close() {
        calls.shutdownNow();
    }
}
