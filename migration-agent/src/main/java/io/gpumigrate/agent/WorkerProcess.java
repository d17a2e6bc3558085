package io.gpumigrate.agent;

import io.gpumigrate.worker.WorkerReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A running session worker process, seen from its agent: reads the worker's report lines
 * (standard output) into its {@link SessionRecord}, forwards its log lines (standard error)
 * to the agent's log, and notices its exit. Thread-safe.
 */
final class WorkerProcess {

    private static final Logger log = LoggerFactory.getLogger(WorkerProcess.class);

    private final Process process;
    private final SessionRecord record;
    private final CompletableFuture<Integer> listening = new CompletableFuture<>();
    private final CompletableFuture<Void> reportsRead = new CompletableFuture<>();
    private final CompletableFuture<Integer> exited;

    WorkerProcess(Process process, SessionRecord record) {
        this.process = process;
        this.record = record;
        Thread.ofVirtual().name("worker-reports-" + record.id()).start(this::readReports);
        Thread.ofVirtual().name("worker-log-" + record.id()).start(this::forwardLog);
        // Exited only once the last report has been read too, so the record is final by then.
        this.exited = process.onExit().thenCombine(reportsRead, (p, done) -> p.exitValue());
        exited.thenAccept(code -> listening.completeExceptionally(new IOException(
                "the worker exited with status " + code + " before it listened")));
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
                log.warn("session {}: worker pid {} ignored SIGTERM, killing it", record.id(), process.pid());
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
                    log.info("session {}: worker printed: {}", record.id(), line);
                }
            }
        } catch (IOException e) {
            log.debug("session {}: worker report stream ended: {}", record.id(), e.toString());
        } finally {
            reportsRead.complete(null);
        }
    }

    private void apply(WorkerReport report) {
        switch (report.type()) {
            case LISTENING -> {
                record.backend(report.text());
                listening.complete((int) report.values()[0]);
            }
            case STATS -> record.stats(report.values()[0], report.values()[1], report.values()[2]);
            case ENDED -> record.endReason(report.text());
        }
    }

    private void forwardLog() {
        Logger workerLog = LoggerFactory.getLogger("io.gpumigrate.worker.session-" + record.id());
        try (BufferedReader in = reader(process.getErrorStream())) {
            for (String line; (line = in.readLine()) != null; ) {
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
            log.debug("session {}: worker log stream ended: {}", record.id(), e.toString());
        }
    }

    private static BufferedReader reader(InputStream in) {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }
}
