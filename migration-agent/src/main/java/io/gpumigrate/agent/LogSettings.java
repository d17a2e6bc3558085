package io.gpumigrate.agent;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where an agent keeps its sessions' replay logs and how long: each session's log is
 * {@code DATA_DIR/logs/SESSION}; finished logs are deleted by age, then oldest first until all
 * fit in the size limit, at start and every {@code retentionInterval}. Immutable.
 *
 * @param dataDir           the agent's data directory ({@code --data-dir}, default {@code ~/.gpumigrate})
 * @param recording         whether sessions are recorded ({@code --no-log} turns it off)
 * @param maxBytes          the most bytes all logs together may keep (at least 0)
 * @param maxAge            how long a finished log is kept (positive)
 * @param retentionInterval how often retention runs (positive)
 */
public record LogSettings(Path dataDir, boolean recording, long maxBytes, Duration maxAge, Duration retentionInterval) {

    public static final long DEFAULT_MAX_BYTES = 10L << 30;
    public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(7);
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(10);

    public LogSettings {
        if (dataDir == null) {
            throw new IllegalArgumentException("the data directory is missing");
        }
        if (maxBytes < 0) {
            throw new IllegalArgumentException("log size limit " + maxBytes + " bytes is negative; it must be at least 0");
        }
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("log age limit " + maxAge + " is not positive");
        }
        if (retentionInterval.isNegative() || retentionInterval.isZero()) {
            throw new IllegalArgumentException("retention interval " + retentionInterval + " is not positive");
        }
    }

    /** {@code ~/.gpumigrate}. */
    public static Path defaultDataDir() {
        return Path.of(System.getProperty("user.home"), ".gpumigrate");
    }

    /** Recording under {@code dataDir} with the default limits. */
    public static LogSettings recordingUnder(Path dataDir) {
        return new LogSettings(dataDir, true, DEFAULT_MAX_BYTES, DEFAULT_MAX_AGE, DEFAULT_INTERVAL);
    }

    /** No recording (embedded agents in tests); the data directory is the default, untouched. */
    public static LogSettings off() {
        return new LogSettings(defaultDataDir(), false, DEFAULT_MAX_BYTES, DEFAULT_MAX_AGE, DEFAULT_INTERVAL);
    }

    /** The directory holding one directory per session log. */
    public Path logsRoot() {
        return dataDir.resolve("logs");
    }

    /** Where session {@code id}'s log is kept. */
    public Path sessionLog(long id) {
        return logsRoot().resolve(Long.toUnsignedString(id));
    }
}
