package io.gpumigrate.cli;

import io.gpumigrate.agent.LogSettings;
import io.gpumigrate.agent.NodeAgent;
import io.gpumigrate.agent.WorkerAotCache;
import io.gpumigrate.checkpoint.FileTrees;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code gpumigrate train}: runs the demo's workload on two local agents whose workers record
 * what they load, migrates it back and forth (dumping it once, left running, in between), and
 * creates from the recording of a worker that took the session in, dumped it and sent it on the
 * workers' AOT cache ({@link WorkerAotCache}), which
 * every agent of this Java runtime and distribution then starts its workers from.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Records what a session worker loads when it takes a session in, dumps it left running and"
                + " sends it on (the demo's workload migrated between two local agents, on a GPU where one is found,"
                + " else on the emulator),"
                + " into the JDK AOT cache that agents start their workers from: the code a migration runs is then"
                + " loaded and linked before the pause, not in it. Run it again after changing the Java runtime"
                + " or the distribution.")
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--migrations", paramLabel = "N",
            description = "Migrations of the training run (default: ${DEFAULT-VALUE}; at least 2, so that one worker"
                    + " both takes the session in and sends it on).")
    int migrations = 3;

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "Where the cache goes (default: $" + WorkerAotCache.DIR_ENV
                    + ", else $XDG_CACHE_HOME/gpumigrate, else ~/.cache/gpumigrate); agents look there too.")
    Path cacheDir;

    @Option(names = "--devices", paramLabel = "A,B", split = ",",
            description = "CUDA_VISIBLE_DEVICES of the two agents' workers (default: both see what this process sees).")
    List<String> devices;

    @Option(names = "--keep-others",
            description = "Keep the other caches of the cache directory (other Java runtimes or builds); by default"
                    + " they are deleted once the new cache is written.")
    boolean keepOthers;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (migrations < 2) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--migrations must be at least 2, got "
                    + migrations);
        }
        if (devices != null && devices.size() != 2) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--devices takes two values, A,B; got "
                    + devices);
        }
        Distribution distribution = Distribution.locate();
        Path workload = DemoCommand.workload(distribution);
        Path nativeDir = distribution.requireClientLibrary();
        DemoCommand.quietAgentLogs();
        WorkerAotCache cache = WorkerAotCache.forThisRuntime(cacheDir);
        Path recordings = Files.createTempDirectory("gpumigrate-train");
        try {
            int status = runRecorded(out, workload, nativeDir, recordings);
            if (status != 0) {
                throw new CliException("the training workload failed (status " + status + "); no cache was written");
            }
            Path recording = WorkerAotCache.largestRecording(recordings).orElseThrow(() -> new CliException(
                    "no worker left a recording in " + recordings + "; no cache was written"));
            out.printf("gpumigrate train: creating the cache from %s (%s)%n", recording.getFileName(),
                    SessionTable.bytes(Files.size(recording)));
            out.flush();
            long bytes;
            try {
                bytes = cache.create(recording);
            } catch (IOException e) {
                throw new CliException(e.getMessage());
            }
            out.printf(Locale.ROOT, "gpumigrate train: wrote %s (%s); agents of this Java runtime and distribution"
                    + " start their workers from it%n", cache.file(), SessionTable.bytes(bytes));
            if (!keepOthers) {
                pruneOthers(out, cache);
            }
            out.flush();
            return 0;
        } finally {
            try {
                FileTrees.delete(recordings);
            } catch (IOException e) {
                out.println("gpumigrate train: could not remove the recordings in " + recordings + ": " + e.getMessage());
            }
        }
    }

    private static void pruneOthers(PrintWriter out, WorkerAotCache cache) {
        try {
            for (Path stale : cache.pruneOthers()) {
                out.println("gpumigrate train: deleted the stale cache " + stale);
            }
        } catch (IOException e) {
            out.println("gpumigrate train: could not delete the other caches beside " + cache.file() + ": " + e.getMessage());
        }
    }

    private int runRecorded(PrintWriter out, Path workload, Path nativeDir, Path recordings) throws Exception {
        List<String> record = WorkerAotCache.recordingOptions(recordings);
        List<String> command = new ArrayList<>(List.of(workload.toString()));
        int steps = DemoCommand.migratingSteps() * (migrations + 2) / 2; // the migrations and the dump
        command.addAll(List.of("--steps", Integer.toString(steps), "--progress", Integer.toString(steps / 4),
                "--ballast-mib", "16"));
        // each agent records replay logs in its own directory, as agents of two nodes do
        NodeAgent a = MigrationDemo.startAgent("train-a", devices == null ? null : devices.get(0), record,
                LogSettings.recordingUnder(recordings.resolve("node-a")));
        NodeAgent b;
        try {
            b = MigrationDemo.startAgent("train-b", devices == null ? null : devices.get(1), record,
                    LogSettings.recordingUnder(recordings.resolve("node-b")));
        } catch (RuntimeException e) {
            a.close();
            throw new CliException("the second training agent could not start: " + e.getMessage());
        }
        int status;
        try (a; b) {
            // the worker that takes the session in also dumps it before sending it on: its recording has all three
            status = new MigrationDemo(out, migrations, false).dumpingTo(recordings.resolve("image"))
                    .run(command, nativeDir, a, b);
            // each worker writes its recording as it exits
            a.awaitNoWorkers(Duration.ofSeconds(30));
            b.awaitNoWorkers(Duration.ofSeconds(30));
        }
        return status;
    }
}
