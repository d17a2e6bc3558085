package io.gpumigrate.cli;

import io.gpumigrate.agent.AgentConfig;
import io.gpumigrate.agent.ClusterOptions;
import io.gpumigrate.agent.HostPort;
import io.gpumigrate.agent.LogSettings;
import io.gpumigrate.agent.NodeAgent;
import io.gpumigrate.agent.SessionRecord;
import io.gpumigrate.agent.migration.ControlClient;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.worker.BackendChoice;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The demo with two local agents: runs the program through the client library on the first,
 * moves its session to the second and back while it runs, showing each migration's progress,
 * and ends with the program's own result and a table of the migrations. Not thread-safe.
 */
final class MigrationDemo {

    /** Calls the session runs between migrations, so that each one catches it mid-work. */
    private static final long CALLS_BETWEEN = 2000;
    private static final long WAIT_MILLIS = 120_000;

    private record Move(String from, String to, ControlClient.MigrationResult result, String failure) {
    }

    private final PrintWriter out;
    private final int migrations;
    private final boolean suggestTraining;
    /** Where to dump the session once, left running, after the first migration; null: no dump. */
    private Path dumpDir;

    /** @param suggestTraining whether to point at {@code gpumigrate train} when the workers ran without its cache */
    MigrationDemo(PrintWriter out, int migrations, boolean suggestTraining) {
        this.out = out;
        this.migrations = migrations;
        this.suggestTraining = suggestTraining;
    }

    /**
     * Also dumps the session, left running, into {@code dir} once the first migration is done,
     * so that the worker that took it in also writes an image before it sends it on (what
     * {@code gpumigrate train} records). Returns this demo.
     */
    MigrationDemo dumpingTo(Path dir) {
        this.dumpDir = dir;
        return this;
    }

    /** Runs {@code command}; returns its exit status. */
    int run(List<String> command, Path nativeDir, NodeAgent a, NodeAgent b) throws Exception {
        a.addPeer(b.config().name(), address(b));
        b.addPeer(a.config().name(), address(a));
        out.printf("gpumigrate demo: agents %s on %s and %s on %s; running %s on %s%n", a.config().name(), address(a),
                b.config().name(), address(b), String.join(" ", command), a.config().name());
        out.flush();
        CompletableFuture<Integer> program = CompletableFuture.supplyAsync(() -> {
            try {
                return ProgramRunner.run(command, nativeDir, address(a), null);
            } catch (CliException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        List<Move> moves = new ArrayList<>();
        ControlClient control = new ControlClient(address(a), "");
        NodeAgent[] nodes = {a, b};
        SessionRecord session = awaitSession(a, program);
        for (int i = 0; session != null && i < migrations && !program.isDone(); i++) {
            NodeAgent from = nodes[i % 2];
            NodeAgent to = nodes[(i + 1) % 2];
            if (!awaitProgress(from, session.id(), program)) {
                break;
            }
            out.printf("gpumigrate demo: migrating session %d from %s to %s%n", session.id(), from.config().name(),
                    to.config().name());
            out.flush();
            try {
                ControlClient.MigrationResult r = control.migrate(session.id(), to.config().name(), WAIT_MILLIS,
                        new ProgressPrinter(out, "  "));
                MigrateCommand.printSummary(out, Long.toString(session.id()), r);
                moves.add(new Move(from.config().name(), to.config().name(), r, null));
                if (i == 0 && dumpDir != null && awaitProgress(to, session.id(), program)) {
                    dump(control, session.id(), to.config().name());
                }
            } catch (IOException | CudaException e) {
                out.println("gpumigrate demo: migration failed, the session stays on " + from.config().name() + ": "
                        + e.getMessage());
                moves.add(new Move(from.config().name(), to.config().name(), null, e.getMessage()));
            }
        }
        int status = program.get(30, TimeUnit.MINUTES);
        out.println();
        out.printf("gpumigrate demo: %s exited with status %d%n", Path.of(command.getFirst()).getFileName(), status);
        printTable(moves);
        if (suggestTraining && !moves.isEmpty() && !io.gpumigrate.agent.WorkerAotCache.forThisRuntime(null).present()) {
            out.println("  (the workers started without an AOT cache: `gpumigrate train`, about a minute once per Java"
                    + " runtime and build, shortens every pause)");
            out.flush();
        }
        return status;
    }

    /** Dumps the session into {@link #dumpDir}, left running; a failure is printed, and the demo goes on. */
    private void dump(ControlClient control, long session, String node) {
        out.printf("gpumigrate demo: dumping session %d on %s to %s, left running%n", session, node, dumpDir);
        out.flush();
        try {
            ControlClient.DumpResult r = control.dump(session, dumpDir.toString(), true, new ProgressPrinter(out, "  "));
            out.printf(java.util.Locale.ROOT, "  dumped %s, paused %.1f ms%n", SessionTable.bytes(r.bytesWritten()),
                    r.pauseMicros() / 1000.0);
        } catch (IOException | CudaException e) {
            out.println("gpumigrate demo: the dump failed, the session runs on: " + e.getMessage());
        }
        out.flush();
    }

    private SessionRecord awaitSession(NodeAgent a, CompletableFuture<Integer> program) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (System.nanoTime() < deadline && !program.isDone()) {
            for (SessionRecord r : a.sessions().live()) {
                if (r.state() == SessionRecord.State.RUNNING) {
                    return r;
                }
            }
            Thread.sleep(20); // polling the agent's record; the program runs in its own process
        }
        return null;
    }

    /** Waits until the session, now on {@code node}, has run {@value #CALLS_BETWEEN} more calls there. */
    private boolean awaitProgress(NodeAgent node, long session, CompletableFuture<Integer> program)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        long start = -1;
        while (System.nanoTime() < deadline && !program.isDone()) {
            SessionRecord r = node.sessions().get(session);
            if (r != null && r.state() == SessionRecord.State.RUNNING && node.endpoint(session).isPresent()) {
                if (start < 0) {
                    start = r.callsExecuted();
                } else if (r.callsExecuted() - start >= CALLS_BETWEEN) {
                    return true;
                }
            }
            Thread.sleep(20);
        }
        return false;
    }

    private void printTable(List<Move> moves) {
        if (moves.isEmpty()) {
            out.println("  no migration happened: the program ended first (give it more --steps)");
            out.flush();
            return;
        }
        out.printf("%n  %-3s %-16s %12s %12s %10s %14s%n", "#", "MIGRATION", "PAUSE", "BYTES", "TOTAL", "RATE");
        int i = 1;
        for (Move m : moves) {
            String route = m.from() + " -> " + m.to();
            if (m.result() == null) {
                out.printf("  %-3d %-16s failed: %s%n", i++, route, m.failure());
                continue;
            }
            ControlClient.MigrationResult r = m.result();
            double seconds = r.totalMicros() / 1e6;
            out.printf(Locale.ROOT, "  %-3d %-16s %9.1f ms %12s %8.2f s %14s%n", i++, route, r.pauseMicros() / 1000.0,
                    SessionTable.bytes(r.bytesMoved()), seconds,
                    ProgressPrinter.rate(seconds > 0 ? r.bytesMoved() / seconds : 0));
        }
        out.flush();
    }

    /** A local agent; {@code devices}, when not null, is its workers' {@code CUDA_VISIBLE_DEVICES}. */
    static NodeAgent startAgent(String name, String devices) throws InterruptedException {
        return startAgent(name, devices, List.of(), LogSettings.off());
    }

    /**
     * As {@link #startAgent(String, String)}, with {@code workerJvmOptions} for every worker it
     * starts, recording replay logs as {@code logs} says.
     */
    static NodeAgent startAgent(String name, String devices, List<String> workerJvmOptions, LogSettings logs)
            throws InterruptedException {
        ClusterOptions cluster = new ClusterOptions(java.util.Map.of(), ClusterOptions.ALONE.deviceMemory(),
                workerJvmOptions, java.util.Map.of());
        if (devices != null) {
            cluster = cluster.withWorkerEnvironment("CUDA_VISIBLE_DEVICES", devices);
        }
        return NodeAgent.start(new AgentConfig(name, 0, "127.0.0.1", BackendChoice.AUTO, null, 60), logs, cluster);
    }

    private static HostPort address(NodeAgent agent) {
        return new HostPort("127.0.0.1", agent.port());
    }
}
