package io.gpumigrate.cli;

import io.gpumigrate.agent.AgentConfig;
import io.gpumigrate.agent.HostPort;
import io.gpumigrate.agent.NodeAgent;
import io.gpumigrate.agent.SessionRecord;
import io.gpumigrate.worker.BackendChoice;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code gpumigrate demo}: starts an agent in this process (backend auto, a free loopback
 * port) and runs the {@code stencil} test workload through the client library against it.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Runs the stencil test workload through the client library against a local agent"
                + " (on a GPU where one is found, else on the PTX emulator), then prints a summary.")
final class DemoCommand implements Callable<Integer> {

    static final String WORKLOAD = "stencil";

    /** Steps enough for the program to outlive two migrations on the emulator. */
    static final int MIGRATING_STEPS = 40_000;

    @Option(names = "--steps", paramLabel = "N",
            description = "Stencil steps (default: " + MIGRATING_STEPS + " with migrations, else the workload's own).")
    Integer steps;

    @Option(names = "--migrations", paramLabel = "N",
            description = "Migrations while it runs, alternating between two local agents (default: ${DEFAULT-VALUE};"
                    + " 0: one agent, no migration).")
    int migrations = 2;

    @Option(names = "--ballast-mib", paramLabel = "MIB",
            description = "Extra device memory (random bytes) the program carries and verifies, so that migrations"
                    + " move something (default: ${DEFAULT-VALUE} with migrations).")
    int ballastMib = 64;

    @Option(names = "--devices", paramLabel = "A,B", split = ",",
            description = "CUDA_VISIBLE_DEVICES of the first and of the second agent's workers (e.g. 0,1: one GPU each);"
                    + " default: both see what this process sees.")
    List<String> devices;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Distribution distribution = Distribution.locate();
        Path workload = workload(distribution);
        Path nativeDir = distribution.requireClientLibrary();
        quietAgentLogs();
        List<String> command = new ArrayList<>(List.of(workload.toString()));
        Integer stepCount = steps != null ? steps : migrations > 0 ? Integer.valueOf(migratingSteps()) : null;
        if (stepCount != null) {
            command.addAll(List.of("--steps", stepCount.toString()));
            if (stepCount >= 20_000) {
                command.addAll(List.of("--progress", Integer.toString(stepCount / 8)));
            }
        }
        if (migrations > 0 && ballastMib > 0) {
            command.addAll(List.of("--ballast-mib", Integer.toString(ballastMib)));
        }
        if (migrations > 0) {
            if (devices != null && devices.size() != 2) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--devices takes two values, A,B; got "
                        + devices);
            }
            NodeAgent a = MigrationDemo.startAgent("node-a", devices == null ? null : devices.get(0));
            NodeAgent b;
            try {
                b = MigrationDemo.startAgent("node-b", devices == null ? null : devices.get(1));
            } catch (RuntimeException e) {
                a.close();
                out.println("gpumigrate demo: a second agent could not start (" + e.getMessage()
                        + "); running on one agent without migration");
                return single(out, command, nativeDir);
            }
            try (a; b) {
                int status = new MigrationDemo(out, migrations, true).run(command, nativeDir, a, b);
                return status == 0 ? 0 : 1;
            }
        }
        return single(out, command, nativeDir);
    }

    /** The distribution's {@value #WORKLOAD} test workload; a clear error when it was not built into it. */
    static Path workload(Distribution distribution) throws CliException {
        Path workload = distribution.workloads().resolve(WORKLOAD);
        if (!Files.isExecutable(workload)) {
            throw new CliException("the " + WORKLOAD + " test workload is not in " + distribution.workloads()
                    + " (test-workloads/ builds it into the distribution); nothing to run");
        }
        return workload;
    }

    /** Local agents in this process log warnings only (unless asked otherwise), so the program's output stays readable. */
    static void quietAgentLogs() {
        if (System.getProperty("org.slf4j.simpleLogger.log.io.gpumigrate") == null) {
            System.setProperty("org.slf4j.simpleLogger.log.io.gpumigrate", "warn");
        }
    }

    /**
     * Steps enough to outlive the migrations: a GPU runs a step (one forwarded launch) some 50 times
     * faster than the emulator, so where an NVIDIA driver's device node exists it gets more.
     */
    static int migratingSteps() {
        return java.nio.file.Files.exists(Path.of("/dev/nvidiactl")) ? 50 * MIGRATING_STEPS : MIGRATING_STEPS;
    }

    /** The one-agent demo: the program runs on one local agent, no migration. */
    private int single(PrintWriter out, List<String> command, Path nativeDir) throws Exception {
        try (NodeAgent agent = NodeAgent.start(new AgentConfig("local", 0, "127.0.0.1", BackendChoice.AUTO, null, 60))) {
            HostPort address = new HostPort("127.0.0.1", agent.port());
            out.println("gpumigrate demo: agent on " + address + ", running " + String.join(" ", command));
            out.flush();
            long start = System.nanoTime();
            int status = ProgramRunner.run(command, nativeDir, address, null);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            agent.awaitNoWorkers(Duration.ofSeconds(10));
            out.println();
            out.printf("gpumigrate demo: %s exited with status %d after %.1f s%n", WORKLOAD, status,
                    took.toMillis() / 1000.0);
            for (SessionRecord s : agent.sessions().all()) {
                out.printf("  session %d on %s: %d calls executed, backend %s, %s%s%n", s.id(), s.node(),
                        s.callsExecuted(), s.backend().isEmpty() ? "unknown" : s.backend(), s.state().label(),
                        s.endReason().isEmpty() ? "" : " (" + s.endReason() + ")");
            }
            if (agent.sessions().all().isEmpty()) {
                out.println("  no session was opened: the program made no CUDA calls through the client library");
            }
            out.flush();
            return status == 0 ? 0 : 1;
        }
    }
}
