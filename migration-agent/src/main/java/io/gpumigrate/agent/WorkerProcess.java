package io.gpumigrate.agent;

import io.gpumigrate.worker.WarmClaim;
import io.gpumigrate.worker.WorkerReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A running session worker process, seen from its agent: reads the worker's report lines
 * (standard output) into its {@link SessionRecord} (and the device's memory into the node's
 * {@link DeviceMemoryGauge}), forwards its log lines (standard error)
 * to the agent's log, and notices its exit. A warm worker has no record until it is
 * {@linkplain #claim claimed}. Thread-safe.
 */
final class WorkerProcess {

    private static final Logger log = LoggerFactory.getLogger(WorkerProcess.class);

    private final Process process;
    private volatile SessionRecord record;
    private final DeviceMemoryGauge gauge;
    private final CompletableFuture<Integer> ready = new CompletableFuture<>();
    private final CompletableFuture<Integer> listening = new CompletableFuture<>();
    private final CompletableFuture<Void> reportsRead = new CompletableFuture<>();
    private final CompletableFuture<Integer> exited;

    /**
     * @param record the session it serves, or {@code null} for a warm worker (see {@link #claim})
     * @param gauge  takes the worker's reports of the device's memory; null: they are dropped
     */
    WorkerProcess(Process process, SessionRecord record, DeviceMemoryGauge gauge) {
        this.process = process;
        this.record = record;
        this.gauge = gauge;
        Thread.ofVirtual().name("worker-reports-" + process.pid()).start(this::readReports);
        Thread.ofVirtual().name("worker-log-" + process.pid()).start(this::forwardLog);
        // Exited only once the last report has been read too, so the record is final by then.
        this.exited = process.onExit().thenCombine(reportsRead, (p, done) -> p.exitValue());
        exited.thenAccept(code -> {
            IOException early = new IOException("the worker exited with status " + code + " before it listened");
            ready.completeExceptionally(early);
            listening.completeExceptionally(early);
        });
    }

    /**
     * Hands a warm worker its session: sends the claim on its standard input and closes it.
     * The worker then reports that it listens ({@link #listening()}). At most once.
     *
     * @throws IOException when the worker cannot be told (it has exited)
     */
    void claim(SessionRecord session, String secret) throws IOException {
        if (record != null) {
            throw new IllegalStateException("worker pid " + process.pid() + " already serves session " + record.id());
        }
        record = session;
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(new WarmClaim(session.id(), secret).line().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Completes with the port once a warm worker has opened its backend and listens, unclaimed. */
    CompletableFuture<Integer> ready() {
        return ready;
    }

    /** Whether the process still runs. */
    boolean isAlive() {
        return process.isAlive();
    }

    private String label() {
        SessionRecord r = record;
        return r == null ? "warm worker " + process.pid() : "session " + r.id();
    }

    /** Completes with the worker's port once it listens; fails if it exits first. */
    CompletableFuture<Integer> listening() {
        return listening;
    }

    /** Completes with the exit status when the process has exited and its last report has been read. */
    CompletableFuture<Integer> exited() {
        return exited;
    }

    long pid() {
        return process.pid();
    }

    /** Asks the worker to stop, then kills it if it has not exited after {@code graceMillis}. */
    void stop(long graceMillis) {
        process.destroy();
        try {
            if (!process.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
                log.warn("{}: worker pid {} ignored SIGTERM, killing it", label(), process.pid());
                process.destroyForcibly().waitFor(graceMillis, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void readReports() {
        try (BufferedReader in = reader(process.getInputStream())) {
            for (String line; (line = in.readLine()) != null; ) {
                var report = WorkerReport.parse(line);
                if (report.isPresent()) {
                    apply(report.get());
                } else {
                    log.info("{}: worker printed: {}", label(), line);
                }
            }
        } catch (IOException e) {
            log.debug("{}: worker report stream ended: {}", label(), e.toString());
        } finally {
            reportsRead.complete(null);
        }
    }

    private void apply(WorkerReport report) {
        SessionRecord r = record;
        switch (report.type()) {
            case READY -> ready.complete((int) report.values()[0]);
            case LISTENING -> {
                if (r != null) {
                    r.backend(report.text());
                }
                listening.complete((int) report.values()[0]);
            }
            case STATS -> {
                if (r != null) {
                    r.stats(report.values()[0], report.values()[1], report.values()[2]);
                }
            }
            case DEVICE -> {
                if (gauge != null) {
                    try {
                        gauge.reported(report.values()[0], report.values()[1]);
                    } catch (IllegalArgumentException e) {
                        log.warn("{}: {}", label(), e.getMessage());
                    }
                }
            }
            case ENDED -> {
                if (r != null) {
                    r.endReason(report.text());
                }
            }
        }
    }

    private void forwardLog() {
        try (BufferedReader in = reader(process.getErrorStream())) {
            for (String line; (line = in.readLine()) != null; ) {
                SessionRecord r = record;
                Logger workerLog = LoggerFactory.getLogger(r == null ? "io.gpumigrate.worker.warm"
                        : "io.gpumigrate.worker.session-" + r.id());
                if (line.startsWith("ERROR ")) {
                    workerLog.error("{}", line.substring(6));
                } else if (line.startsWith("WARN ")) {
                    workerLog.warn("{}", line.substring(5));
                } else if (line.startsWith("INFO ")) {
                    workerLog.info("{}", line.substring(5));
                } else if (line.startsWith("DEBUG ") || line.startsWith("TRACE ")) {
                    workerLog.debug("{}", line.substring(6));
                } else {
                    workerLog.info("{}", line);
                }
            }
        } catch (IOException e) {
            log.debug("{}: worker log stream ended: {}", label(), e.toString());
        }
    }

    private static BufferedReader reader(InputStream in) {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }
}
