package io.gpumigrate.worker;

import io.gpumigrate.checkpoint.transfer.TransferWarmup;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceBackend;
import io.gpumigrate.device.MemInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The session worker process: serves one session, then exits. Started by the node agent
 * (see {@code WorkerLauncher}); prints {@link WorkerReport} lines on standard output.
 *
 * <p>The session ends, and the process exits with status 0, when the client says GOODBYE or
 * closes its connection, when no client attaches within the attach timeout, or when the
 * parent process (the agent) exits; on SIGTERM it releases the device before the JVM exits. Exit status 1: the backend or the server could not start;
 * 2: bad command line.
 */
public final class WorkerMain {

    private static final Logger log = LoggerFactory.getLogger(WorkerMain.class);
    private static final long REPORT_INTERVAL_MILLIS = 200;
    private static final long END_GRACE_SECONDS = 10;
    /** The longest the worker waits, after its session ended, for a dump still sealing its image. */
    private static final Duration HELD_WORK_LIMIT = Duration.ofMinutes(10);
    private static final long ATTACH_CHECK_MILLIS = 250;

    private WorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        WorkerOptions options;
        try {
            options = WorkerOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("WorkerMain: " + e.getMessage());
            System.err.println(WorkerOptions.USAGE);
            System.exit(2);
            return;
        }
        System.exit(run(options, System.out));
    }

    /**
     * Runs {@link TransferWarmup} and {@link SessionWarmup} on a low-priority thread of its own,
     * so that this worker's first migration (as source or target) does not run cold code inside
     * the session's pause. Its failure is logged and changes nothing else.
     */
    private static void warmUpTransfers() {
        int runs;
        try {
            runs = TransferWarmup.configuredRuns();
        } catch (IllegalArgumentException e) {
            log.warn("{}; no warm-up", e.getMessage());
            return;
        }
        if (runs == 0) {
            return;
        }
        Thread t = Thread.ofPlatform().name("transfer-warmup").daemon(true).priority(Thread.MIN_PRIORITY).unstarted(() -> {
            try {
                log.debug("{}", TransferWarmup.run(runs));
                for (int i = 0; i < runs; i++) {
                    SessionWarmup.run();
                }
            } catch (Exception e) {
                log.warn("the migration warm-up failed (migrations still work, the first one slower): {}", e.toString());
            }
        });
        t.start();
    }

    static int run(WorkerOptions options, PrintStream reports) throws InterruptedException {
        DeviceBackend backend;
        try {
            backend = options.backend().create();
        } catch (CudaException e) {
            log.error("session {}: no device backend: {}", options.session(), e.getMessage());
            return 1;
        }
        String label = backend instanceof io.gpumigrate.device.emulator.EmulatorBackend ? "emulator" : "cuda";
        AtomicReference<Session> served = new AtomicReference<>();
        WorkerServer server;
        try {
            server = WorkerServer.start(served::get, options.bind(), options.port());
        } catch (RuntimeException e) {
            log.error("session {}: cannot listen on {}:{}: {}", options.session(), options.bind(), options.port(), e.toString());
            backend.close();
            return 1;
        }
        long id = options.session();
        String secret = options.secret();
        boolean gpu = label.equals("cuda");
        if (gpu) { // the device is shared: the agent offers what its driver says is free
            reportDevice(reports, backend);
        }
        warmUpTransfers();
        if (options.warm()) {
            reports.println(WorkerReport.ready(server.port(), label));
            reports.flush();
            Optional<WarmClaim> claim;
            try {
                claim = WarmClaim.read(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
            } catch (IOException e) {
                log.error("warm worker: {}", e.getMessage());
                claim = Optional.empty();
            }
            if (claim.isEmpty()) {
                log.info("warm worker released unused");
                server.close();
                backend.close();
                return 0;
            }
            id = claim.get().session();
            secret = claim.get().secret();
        }
        Session session = new Session(id, secret, backend);
        if (options.logRoot() != null) {
            Path dir = options.logRoot().resolve(Long.toUnsignedString(id));
            session.logDirectory(dir);
            try {
                session.observe(ReplayLogRecorder.open(dir, id));
                log.info("session {}: recording to {}", Long.toUnsignedString(id), dir);
            } catch (IOException e) {
                log.warn("session {}: runs without a replay log: {}", Long.toUnsignedString(id), e.getMessage());
            }
        }
        served.set(session);
        log.info("session {}: worker listening on {}:{}", session.id(), options.bind(), server.port());
        reports.println(WorkerReport.listening(server.port(), label));
        reports.flush();

        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("worker-reports").daemon(true).factory());
        long[] lastReported = {-1, -1};
        timers.scheduleWithFixedDelay(() -> {
            SessionStats s = session.stats();
            boolean allocated = s.deviceMemoryInUse() != lastReported[1];
            if (s.callsExecuted() != lastReported[0] || allocated) {
                lastReported[0] = s.callsExecuted();
                lastReported[1] = s.deviceMemoryInUse();
                reports.println(WorkerReport.stats(s));
            }
            if (gpu && allocated) { // asked on the session's thread, which owns the backend's context
                session.onExecutor(() -> {
                    reportDevice(reports, session.device());
                    return null;
                });
            }
        }, REPORT_INTERVAL_MILLIS, REPORT_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        session.attachWait().start(TimeUnit.SECONDS.toNanos(options.attachTimeoutSeconds()));
        timers.scheduleWithFixedDelay(() -> {
            if (session.attachWait().expired()) {
                session.end("no client attached within " + options.attachTimeoutSeconds() + " s");
            }
        }, ATTACH_CHECK_MILLIS, ATTACH_CHECK_MILLIS, TimeUnit.MILLISECONDS);
        ProcessHandle.current().parent().ifPresent(parent ->
                parent.onExit().thenRun(() -> session.end("the parent process exited")));
        // On SIGTERM (the agent stopping), still release the device before the JVM goes.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            session.end("the worker was asked to stop");
            try {
                await(session.ended());
                awaitHeldWork(session, Duration.ofSeconds(END_GRACE_SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "worker-shutdown"));

        String reason = session.endRequested().join();
        String outcome = await(session.ended());
        awaitHeldWork(session, HELD_WORK_LIMIT);
        session.awaitRedirectedClient();
        timers.shutdownNow();
        if (!outcome.equals(reason)) {
            log.warn("session {}: {}", session.id(), outcome);
        }
        server.close();
        reports.println(WorkerReport.stats(session.stats()));
        reports.println(WorkerReport.ended(reason));
        reports.flush();
        return 0;
    }

    /** Reports the device's free and total memory; a driver that cannot say is logged, not fatal. */
    private static void reportDevice(PrintStream reports, DeviceBackend backend) {
        try {
            MemInfo m = backend.memInfo();
            reports.println(WorkerReport.device(m.free(), m.total()));
        } catch (CudaException | RuntimeException e) {
            log.warn("cannot report the device's memory to the agent: {}", e.getMessage());
        }
    }

    /** Waits for what must finish before the process exits ({@link ExitBarrier}), at most {@code limit}. */
    private static void awaitHeldWork(Session session, Duration limit) throws InterruptedException {
        List<String> held = session.exitBarrier().pending();
        if (held.isEmpty()) {
            return;
        }
        log.info("session {}: ended; finishing {} before the worker exits", session.id(), String.join(", ", held));
        List<String> unfinished = session.exitBarrier().await(limit);
        if (!unfinished.isEmpty()) {
            log.warn("session {}: exiting although {} did not finish within {} s", session.id(),
                    String.join(", ", unfinished), limit.toSeconds());
        }
    }

    /** Waits for the session to end, at most {@value #END_GRACE_SECONDS} s after it was asked to. */
    static String await(CompletableFuture<String> ended) throws InterruptedException {
        try {
            return ended.get(END_GRACE_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return "the session did not release its device within " + END_GRACE_SECONDS + " s";
        } catch (java.util.concurrent.ExecutionException e) {
            return "ending the session failed: " + e.getCause();
        }
    }
}
