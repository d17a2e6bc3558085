package io.gpumigrate.agent;

import io.gpumigrate.protocol.Handshake;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A node agent: listens for clients, serves each {@code HELLO} with a session worker process
 * (a warm one from its {@link WarmWorkerPool} when one is there, else one started for it),
 * and keeps the sessions' records. Closing it kills its workers, warm ones included. Thread-safe.
 */
public final class NodeAgent implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);
    static final long WORKER_START_TIMEOUT_SECONDS = 60;
    /** Live sessions (worker processes) an agent runs at most; further hellos are refused. */
    static final int MAX_LIVE_SESSIONS = 256;
    private static final long WORKER_STOP_GRACE_MILLIS = 3000;
    /** How long a node just started waits for its first warm worker's device report before offering memory. */
    private static final long FIRST_REPORT_WAIT_SECONDS = 20;

    private final AgentConfig config;
    private final SessionRegistry sessions = new SessionRegistry();
    private final Map<Long, WorkerProcess> workers = new ConcurrentHashMap<>();
    /** Per live worker: completes once its exit has been recorded. */
    private final Map<WorkerProcess, CompletableFuture<Void>> exitsRecorded = new ConcurrentHashMap<>();
    private final WorkerLauncher launcher;
    private final DeviceMemoryGauge gauge;
    private final WorkerAotCache aotCache;
    private final ExecutorService launches = Executors.newVirtualThreadPerTaskExecutor();
    private final WarmWorkerPool warm;
    private final SecureRandom random = new SecureRandom();
    private final ClusterOptions cluster;
    private final Map<String, HostPort> peers = new java.util.concurrent.ConcurrentSkipListMap<>();
    private final Map<Long, SessionEndpoint> endpoints = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicBoolean cordoned = new java.util.concurrent.atomic.AtomicBoolean();
    private final io.gpumigrate.agent.migration.ControlRequests control;
    private EventLoopGroup group;
    private Channel serverChannel;

    private final LogSettings logs;
    private LogJanitor janitor;

    private NodeAgent(AgentConfig config, LogSettings logs, ClusterOptions cluster) {
        this.config = config;
        this.logs = logs;
        this.cluster = cluster;
        this.peers.putAll(cluster.peers());
        this.aotCache = WorkerAotCache.forThisRuntime(null);
        this.gauge = new DeviceMemoryGauge(cluster.deviceMemory(), cluster.deviceMemoryGiven(), this::sessionsHold);
        this.launcher = new WorkerLauncher(config.bind(), config.backend(), config.attachTimeoutSeconds(), logs,
                cluster.workerJvmOptions(), cluster.workerEnvironment(), aotCache, gauge);
        this.warm = new WarmWorkerPool(config.warmWorkers(), launcher, launches, WORKER_STOP_GRACE_MILLIS);
        this.control = new io.gpumigrate.agent.migration.ControlRequests(this);
    }

    /** Starts an agent listening as {@code config} says, alone (no peers), recording no session. */
    public static NodeAgent start(AgentConfig config) throws InterruptedException {
        return start(config, LogSettings.off(), ClusterOptions.ALONE);
    }

    /** Starts an agent that records its sessions' replay logs as {@code logs} says (and applies their retention). */
    public static NodeAgent start(AgentConfig config, LogSettings logs) throws InterruptedException {
        return start(config, logs, ClusterOptions.ALONE);
    }

    /** Starts an agent in the cluster {@code cluster} describes, recording no session. */
    public static NodeAgent start(AgentConfig config, ClusterOptions cluster) throws InterruptedException {
        return start(config, LogSettings.off(), cluster);
    }

    /** Starts an agent recording as {@code logs} says, in the cluster {@code cluster} describes. */
    public static NodeAgent start(AgentConfig config, LogSettings logs, ClusterOptions cluster)
            throws InterruptedException {
        NodeAgent agent = new NodeAgent(config, logs, cluster);
        if (logs.recording()) {
            agent.janitor = LogJanitor.start(logs);
        }
        agent.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            agent.serverChannel = new ServerBootstrap()
                    .group(agent.group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new AgentChannelInitializer(agent))
                    .bind(config.bind(), config.port()).sync().channel();
        } catch (InterruptedException | RuntimeException e) {
            agent.group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            if (agent.janitor != null) {
                agent.janitor.close();
            }
            throw e;
        }
        log.info("agent {} listening on {}:{} (backend {}, token {}, {} warm workers, {})", config.name(), config.bind(),
                agent.port(), config.backend().label(), config.requiresToken() ? "required" : "not required",
                config.warmWorkers(), agent.aotCache.present() ? "workers start from the AOT cache " + agent.aotCache.file()
                        : "no worker AOT cache for this Java runtime: `gpumigrate train` records one");
        agent.warm.fill();
        return agent;
    }

    public AgentConfig config() {
        return config;
    }

    public ClusterOptions cluster() {
        return cluster;
    }

    /** The peer agents by node name (a live view; see {@link #addPeer}). */
    public Map<String, HostPort> peers() {
        return java.util.Collections.unmodifiableMap(peers);
    }

    /** Adds or replaces a peer, for agents that learn each other's ports only once both listen. */
    public void addPeer(String node, HostPort address) {
        if (node.equals(config.name())) {
            throw new IllegalArgumentException("peer " + node + " has this node's own name");
        }
        peers.put(node, address);
    }

    /** Where a live session's worker listens and the secret to reach it with; empty when none is live here. */
    public java.util.Optional<SessionEndpoint> endpoint(long session) {
        return java.util.Optional.ofNullable(endpoints.get(session));
    }

    /** Forgets a session that moved to {@code node}: {@code ps} shows it as migrated, locate no longer finds it here. */
    public void sessionMoved(long session, String node) {
        endpoints.remove(session);
        SessionRecord record = sessions.get(session);
        if (record != null) {
            record.migrated(node);
            sessions.finished(record); // the session may come back here before this worker has exited
        }
    }

    /** Completes once the current worker of {@code session} has exited and been recorded (at once when none). */
    public CompletableFuture<Void> workerExit(long session) {
        WorkerProcess w = workers.get(session);
        CompletableFuture<Void> exit = w == null ? null : exitsRecorded.get(w);
        return exit == null ? CompletableFuture.completedFuture(null) : exit;
    }

    /** Whether the node takes no new sessions ({@code cordon}). */
    public boolean cordoned() {
        return cordoned.get();
    }

    public void cordoned(boolean value) {
        if (cordoned.getAndSet(value) != value) {
            log.info("node {} {}", config.name(), value ? "cordoned: it takes no new sessions" : "uncordoned");
        }
    }

    /**
     * Device memory a new session can still get here: the capacity {@link ClusterOptions} gives
     * less what this node's live sessions hold, and on a GPU no more than the driver last said
     * was free ({@link DeviceMemoryGauge}).
     */
    public long freeDeviceMemory() {
        if (!gauge.reported()) {
            // just started: on a GPU the first warm worker is about to report the device (else the
            // configured default, not the GPU's memory, would be offered); bounded, never fatal
            try {
                warm.firstReady().get(FIRST_REPORT_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                log.debug("no device report from a warm worker yet: {}", e.toString());
            }
        }
        return gauge.free();
    }

    /** Bytes of device memory this node's live sessions hold, as their workers last reported. */
    private long sessionsHold() {
        long used = 0;
        for (SessionRecord r : sessions.live()) {
            used += r.deviceMemoryInUse();
        }
        return used;
    }

    /** The handler of control requests (migrate, dump, restore, drain, cordon, locate, node list). */
    public io.gpumigrate.agent.migration.ControlRequests control() {
        return control;
    }

    /** Where sessions' replay logs go, and whether they are recorded. */
    public LogSettings logs() {
        return logs;
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public SessionRegistry sessions() {
        return sessions;
    }

    /** The pid of a live session's worker process, for tests and diagnostics. */
    public java.util.OptionalLong workerPid(long session) {
        WorkerProcess w = workers.get(session);
        return w == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(w.pid());
    }

    /**
     * Opens a session for a client's hello: starts its worker and completes with what the
     * client needs to attach once the worker listens.
     *
     * @param workerHost the address the client reached the agent on; the worker listens there too
     */
    CompletableFuture<Handshake.HelloReply> openSession(Handshake.Hello hello, String workerHost) {
        if (sessions.live().size() >= MAX_LIVE_SESSIONS) {
            return CompletableFuture.failedFuture(new java.io.IOException("the agent already runs "
                    + MAX_LIVE_SESSIONS + " sessions, its maximum"));
        }
        return openSession(newSessionId(), HexFormat.of().formatHex(bytes(32)), hello.program(), hello.pid(),
                workerHost);
    }

    /**
     * Starts a worker for the session {@code id} with {@code secret}: a new one, or one arriving
     * by migration or restore (its worker then waits for its state on a control connection).
     *
     * @throws IllegalStateException when this agent already has a live session {@code id}
     */
    public CompletableFuture<Handshake.HelloReply> openSession(long id, String secret, String program, long pid,
                                                              String workerHost) {
        SessionRecord record = new SessionRecord(id, program, pid, config.name());
        if (!sessions.addIfAbsent(record)) {
            throw new IllegalStateException("session " + id + " is already live on node " + config.name());
        }
        return CompletableFuture.supplyAsync(() -> worker(record, secret), launches).thenCompose(worker -> {
            workers.put(id, worker);
            exitsRecorded.put(worker, worker.exited().thenAccept(code -> workerExited(record, worker, code)));
            return worker.listening().orTimeout(WORKER_START_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .whenComplete((port, failure) -> {
                        if (failure != null) {
                            worker.stop(WORKER_STOP_GRACE_MILLIS);
                        }
                    });
        }).handle((port, failure) -> {
            if (failure != null) {
                record.ended(false);
                sessions.finished(record);
                throw new java.util.concurrent.CompletionException(failure);
            }
            record.running();
            endpoints.put(id, new SessionEndpoint(workerHost, port, secret));
            log.info("session {} for {} (pid {}): worker listening on {}:{}", id, program, pid,
                    workerHost, port);
            return new Handshake.HelloReply(id, workerHost, port, secret);
        });
    }

    /** A warm worker claimed for {@code record}, or else a worker started for it. */
    private WorkerProcess worker(SessionRecord record, String secret) {
        for (var warmWorker = warm.take(); warmWorker.isPresent(); warmWorker = warm.take()) {
            try {
                warmWorker.get().claim(record, secret);
                log.debug("session {}: served by warm worker pid {}", record.id(), warmWorker.get().pid());
                return warmWorker.get();
            } catch (IOException e) {
                log.warn("session {}: warm worker pid {} could not be claimed: {}", record.id(), warmWorker.get().pid(),
                        e.toString());
                warmWorker.get().stop(WORKER_STOP_GRACE_MILLIS);
            }
        }
        try {
            return launcher.launch(record, secret);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot start a worker process: " + e.getMessage(), e);
        }
    }

    /** The process ids of the warm workers waiting for a session, for tests and diagnostics. */
    public java.util.List<Long> warmWorkerPids() {
        return warm.idlePids();
    }

    /** Records a worker's exit; a newer worker of the same session (it came back here) keeps its entries. */
    private void workerExited(SessionRecord record, WorkerProcess worker, int code) {
        record.ended(code == 0);
        sessions.finished(record);
        workers.remove(record.id(), worker);
        exitsRecorded.remove(worker);
        CompletableFuture<Integer> listening = worker.listening();
        if (listening.isDone() && !listening.isCompletedExceptionally()) {
            int port = listening.join();
            endpoints.computeIfPresent(record.id(), (id, e) -> e.port() == port ? null : e);
        }
        log.info("session {}: worker exited with status {}{}", record.id(), code,
                record.endReason().isEmpty() ? "" : " (" + record.endReason() + ")");
    }

    /** A token to present to peers: this agent's own, or empty. */
    public String peerToken() {
        byte[] token = config.token();
        return token == null ? "" : new String(token, java.nio.charset.StandardCharsets.UTF_8);
    }

    private long newSessionId() {
        long id;
        do {
            id = random.nextLong() & 0xFFFF_FFFFL;
        } while (id == 0 || sessions.contains(id));
        return id;
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /**
     * Waits until every worker has exited, at most {@code timeout}.
     *
     * @return whether none is left
     */
    public boolean awaitNoWorkers(java.time.Duration timeout) {
        CompletableFuture<?>[] exits = exitsRecorded.values().toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(exits).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            return workers.isEmpty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return workers.isEmpty();
        }
    }

    /** Stops listening and stops every worker (SIGTERM, then SIGKILL after a grace period). Idempotent. */
    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        warm.close();
        launches.shutdown();
        control.close();
        if (janitor != null) {
            janitor.close();
        }
        for (WorkerProcess worker : workers.values()) {
            worker.stop(WORKER_STOP_GRACE_MILLIS);
        }
        for (WorkerProcess worker : workers.values()) {
            worker.exited().completeOnTimeout(-1, WORKER_STOP_GRACE_MILLIS, TimeUnit.MILLISECONDS).join();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
