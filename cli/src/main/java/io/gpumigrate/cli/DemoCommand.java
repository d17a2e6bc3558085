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

    @Option(names = "--steps", paramLabel = "N", description = "Stencil steps (default: the workload's own).")
    Integer steps;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Distribution distribution = Distribution.locate();
        Path workload = distribution.workloads().resolve(WORKLOAD);
        if (!Files.isExecutable(workload)) {
            throw new CliException("the " + WORKLOAD + " test workload is not in " + distribution.workloads()
                    + " (test-workloads/ builds it into the distribution); nothing to run");
        }
        Path nativeDir = distribution.requireClientLibrary();
        if (System.getProperty("org.slf4j.simpleLogger.log.io.gpumigrate") == null) {
            System.setProperty("org.slf4j.simpleLogger.log.io.gpumigrate", "warn");
        }
        List<String> command = new ArrayList<>(List.of(workload.toString()));
        if (steps != null) {
            command.addAll(List.of("--steps", steps.toString()));
        }
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
