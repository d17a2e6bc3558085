package io.gpumigrate.agent;

import io.gpumigrate.replay.retention.LogRetention;
import io.gpumigrate.replay.retention.RetentionReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Applies an agent's log retention at start and then every interval, on its own daemon thread.
 * A pass that fails is logged and retried at the next interval. Thread-safe.
 */
final class LogJanitor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LogJanitor.class);

    private final LogRetention retention;
    private final ScheduledExecutorService timer;

    private LogJanitor(LogSettings settings) {
        this.retention = new LogRetention(settings.logsRoot(), settings.maxBytes(), settings.maxAge(), Clock.systemUTC());
        this.timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("log-retention").daemon(true).factory());
    }

    /** Starts the periodic passes; the first runs now, before this returns. */
    static LogJanitor start(LogSettings settings) {
        LogJanitor janitor = new LogJanitor(settings);
        janitor.pass();
        long every = settings.retentionInterval().toMillis();
        janitor.timer.scheduleWithFixedDelay(janitor::pass, every, every, TimeUnit.MILLISECONDS);
        return janitor;
    }

    /** One retention pass now; returns its report, or {@code null} when it failed. */
    RetentionReport pass() {
        try {
            RetentionReport report = retention.apply();
            log.debug("log retention: {}", report);
            return report;
        } catch (IOException | RuntimeException e) {
            log.warn("log retention failed: {}", e.toString());
            return null;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
