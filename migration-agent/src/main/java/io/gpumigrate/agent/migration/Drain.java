package io.gpumigrate.agent.migration;

import io.gpumigrate.agent.NodeAgent;
import io.gpumigrate.agent.SessionRecord;
import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code DRAIN} of this node: cordons it (no new sessions), then migrates every live session,
 * one after the other, each to the peer placement picks at that moment. A dry run cordons
 * nothing and moves nothing: it lists where each session would go. Thread-safe.
 */
final class Drain {

    private static final Logger log = LoggerFactory.getLogger(Drain.class);

    private record Row(long session, String target, int status) {
    }

    private final NodeAgent agent;
    private final ControlRequests control;

    Drain(NodeAgent agent, ControlRequests control) {
        this.agent = agent;
        this.control = control;
    }

    void run(long timeoutMillis, boolean dryRun, Responder out) throws CudaException {
        if (timeoutMillis <= 0) {
            throw new CudaException(CuResult.INVALID_VALUE, "drain timeout " + timeoutMillis + " ms must be positive");
        }
        if (!dryRun) {
            agent.cordoned(true);
        }
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        List<Row> rows = new ArrayList<>();
        for (SessionRecord record : agent.sessions().live()) {
            if (record.state() != SessionRecord.State.RUNNING || agent.endpoint(record.id()).isEmpty()) {
                continue;
            }
            String target = "";
            int status;
            try {
                target = Placement.choose(control.nodes(), agent.config().name());
                if (dryRun) {
                    status = CuResult.SUCCESS;
                } else {
                    long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
                    control.migrate(record.id(), target, left, out::progress);
                    status = CuResult.SUCCESS;
                }
            } catch (CudaException e) {
                log.warn("drain: session {} stays on {}: {}", record.id(), agent.config().name(), e.getMessage());
                status = e.result();
            } catch (IOException e) {
                log.warn("drain: session {} stays on {}: {}", record.id(), agent.config().name(), e.getMessage());
                status = CuResult.OPERATING_SYSTEM;
            }
            rows.add(new Row(record.id(), target, status));
        }
        out.success(w -> {
            w.u32(rows.size());
            rows.forEach(r -> w.u64(r.session()).str(r.target()).i32(r.status()));
        });
    }
}
