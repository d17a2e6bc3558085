package io.gpumigrate.agent.migration;

import io.gpumigrate.agent.NodeAgent;
import io.gpumigrate.agent.SessionRecord;
import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@code DRAIN} of this node: cordons it (no new sessions), then migrates every live session,
 * up to {@code parallel} at once, each to the peer placement picks when its move starts. The
 * memory of the moves under way counts against their targets until each ends
 * ({@link Reservations}), so that sessions moved at once spread over the peers as they would one
 * after the other. A dry run cordons nothing and moves nothing: it lists where each session
 * would go, placed the same way. Progress: with
 * one move at a time, every PROGRESS frame of the move in progress; with several, each move's
 * phase changes, the phase prefixed with its session. Thread-safe.
 */
final class Drain {

    private static final Logger log = LoggerFactory.getLogger(Drain.class);

    /** Moves at once when the request does not say. */
    static final int DEFAULT_PARALLEL = 4;
    /** The most moves at once a request may ask for. */
    static final int MAX_PARALLEL = 16;

    private record Row(long session, String target, int status) {
    }

    private final NodeAgent agent;
    private final ControlRequests control;

    Drain(NodeAgent agent, ControlRequests control) {
        this.agent = agent;
        this.control = control;
    }

    void run(long timeoutMillis, boolean dryRun, int parallel, Responder out) throws CudaException {
        if (timeoutMillis <= 0) {
            throw new CudaException(CuResult.INVALID_VALUE, "drain timeout " + timeoutMillis + " ms must be positive");
        }
        if (parallel < 1 || parallel > MAX_PARALLEL) {
            throw new CudaException(CuResult.INVALID_VALUE, "drain parallelism " + parallel + " is outside 1 to "
                    + MAX_PARALLEL);
        }
        if (!dryRun) {
            agent.cordoned(true);
        }
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        List<SessionRecord> moving = new ArrayList<>();
        for (SessionRecord record : agent.sessions().live()) {
            if (record.state() == SessionRecord.State.RUNNING && agent.endpoint(record.id()).isPresent()) {
                moving.add(record);
            }
        }
        Reservations reserved = new Reservations(control::nodes, agent.config().name());
        Row[] rows = new Row[moving.size()];
        Semaphore slots = new Semaphore(parallel);
        List<Thread> threads = new ArrayList<>();
        try {
            for (int i = 0; i < rows.length; i++) {
                int index = i;
                SessionRecord record = moving.get(i);
                slots.acquire();
                Consumer<ControlConnection.Progress> progress = parallel == 1 ? out::progress : labelled(record, out);
                threads.add(Thread.ofVirtual().name("drain-" + record.id()).start(() -> {
                    try {
                        rows[index] = move(record, dryRun, deadline, reserved, progress);
                    } finally {
                        slots.release();
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CudaException(CuResult.UNKNOWN, "the drain was interrupted");
        }
        out.success(w -> {
            w.u32(rows.length);
            for (Row r : rows) {
                w.u64(r.session()).str(r.target()).i32(r.status());
            }
        });
    }

    private Row move(SessionRecord record, boolean dryRun, long deadline, Reservations reserved,
                     Consumer<ControlConnection.Progress> progress) {
        String target = "";
        int status;
        long bytes = Math.max(0, record.deviceMemoryInUse());
        try {
            target = reserved.place(bytes);
            if (dryRun) { // nothing moves: the promise stands, as the move would be under way
                status = CuResult.SUCCESS;
            } else {
                long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
                try {
                    control.migrate(record.id(), target, left, progress);
                } finally {
                    reserved.ended(target, bytes);
                }
                status = CuResult.SUCCESS;
            }
        } catch (CudaException e) {
            log.warn("drain: session {} stays on {}: {}", record.id(), agent.config().name(), e.getMessage());
            status = e.result();
        } catch (IOException e) {
            log.warn("drain: session {} stays on {}: {}", record.id(), agent.config().name(), e.getMessage());
            status = CuResult.OPERATING_SYSTEM;
        }
        return new Row(record.id(), target, status);
    }

    /** A move's PROGRESS, only when its phase changes, with the phase prefixed by its session. */
    private static Consumer<ControlConnection.Progress> labelled(SessionRecord record, Responder out) {
        String label = "session " + Long.toUnsignedString(record.id()) + ": ";
        Set<String> seen = ConcurrentHashMap.newKeySet();
        return p -> {
            if (seen.add(p.phase())) {
                out.progress(new ControlConnection.Progress(label + p.phase(), p.bytesDone(), p.bytesTotal(),
                        p.elapsedMicros()));
            }
        };
    }

    /**
     * Placement that counts the memory of the moves under way during this drain against their
     * targets, until each move ends: a finished move's memory is in its target's own figure then.
     */
    static final class Reservations {
        private final Supplier<List<NodeRow>> nodes;
        private final String from;
        private final Map<String, Long> promised = new HashMap<>();

        Reservations(Supplier<List<NodeRow>> nodes, String from) {
            this.nodes = nodes;
            this.from = from;
        }

        /** The target for a session of {@code bytes}, which are promised to it until {@link #ended}. */
        synchronized String place(long bytes) throws CudaException {
            String target = Placement.choose(nodes.get(), from, promised);
            promised.merge(target, bytes, Long::sum);
            return target;
        }

        /** The move of {@code bytes} to {@code target} has ended, moved or not. */
        synchronized void ended(String target, long bytes) {
            promised.computeIfPresent(target, (node, left) -> left > bytes ? left - bytes : null);
        }
    }
}
