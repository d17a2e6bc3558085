package io.gpumigrate.replay.retention;

import io.gpumigrate.replay.format.LogFormat;
import io.gpumigrate.replay.format.WriterLock;
import io.gpumigrate.replay.read.Segments;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Deletes whole finished session logs under a logs root (each child directory holding a
 * {@code writer.lock} or segment files is one session's log; anything else is left alone):
 * first those older than the age limit (by their newest file), then the oldest ones until all
 * logs together fit in the size limit. A log whose writer lock is held is never touched, and
 * the lock is held while a log is deleted, so a writer cannot open it meanwhile. Active logs
 * count toward the total all the same, so the total can stay above the limit while they run.
 * Thread-safe; one pass at a time per root is the intended use.
 */
public final class LogRetention {

    private final Path root;
    private final long maxTotalBytes;
    private final Duration maxAge;
    private final Clock clock;

    /**
     * @param root          the directory holding one directory per session log
     * @param maxTotalBytes the most bytes all logs together may take (at least 0)
     * @param maxAge        how long a finished log is kept after its last write (positive)
     */
    public LogRetention(Path root, long maxTotalBytes, Duration maxAge, Clock clock) {
        if (maxTotalBytes < 0) {
            throw new IllegalArgumentException("size limit " + maxTotalBytes + " bytes is negative");
        }
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("age limit " + maxAge + " is not positive");
        }
        this.root = root;
        this.maxTotalBytes = maxTotalBytes;
        this.maxAge = maxAge;
        this.clock = clock;
    }

    /** {@code ~/.gpumigrate/logs}, for an agent started without {@code --data-dir}. */
    public static Path defaultRoot() {
        return Path.of(System.getProperty("user.home"), ".gpumigrate", "logs");
    }

    /** The session logs under {@code root}, oldest first; an absent root has none. */
    public static List<StoredLog> list(Path root) throws IOException {
        List<StoredLog> logs = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return logs;
        }
        try (DirectoryStream<Path> children = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path dir : children) {
                if (Files.exists(dir.resolve(LogFormat.LOCK_FILE)) || !Segments.list(dir).isEmpty()) {
                    logs.add(describe(dir));
                }
            }
        }
        logs.sort(Comparator.comparing(StoredLog::lastModified));
        return logs;
    }

    private static StoredLog describe(Path dir) throws IOException {
        long bytes = 0;
        Instant newest = Instant.EPOCH;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                if (a.isRegularFile()) {
                    bytes += a.size();
                    Instant m = a.lastModifiedTime().toInstant();
                    if (m.isAfter(newest)) {
                        newest = m;
                    }
                }
            }
        }
        return new StoredLog(dir, bytes, newest, WriterLock.isHeld(dir));
    }

    /** One pass: deletes what the limits say, and reports it. */
    public RetentionReport apply() throws IOException {
        Instant now = clock.instant();
        List<StoredLog> forAge = new ArrayList<>();
        List<StoredLog> forSize = new ArrayList<>();
        List<StoredLog> kept = new ArrayList<>();
        for (StoredLog log : list(root)) {
            boolean old = Duration.between(log.lastModified(), now).compareTo(maxAge) > 0;
            if (!log.active() && old && delete(log.dir())) {
                forAge.add(log);
            } else {
                kept.add(log);
            }
        }
        long total = kept.stream().mapToLong(StoredLog::bytes).sum();
        for (StoredLog log : List.copyOf(kept)) { // oldest first
            if (total <= maxTotalBytes) {
                break;
            }
            if (!log.active() && delete(log.dir())) {
                forSize.add(log);
                kept.remove(log);
                total -= log.bytes();
            }
        }
        long freed = Stream.concat(forAge.stream(), forSize.stream()).mapToLong(StoredLog::bytes).sum();
        return new RetentionReport(forAge, forSize, freed, kept, total);
    }

    /** Deletes a log directory under its writer lock; false when a writer holds it. */
    private static boolean delete(Path dir) throws IOException {
        WriterLock lock = WriterLock.tryAcquire(dir);
        if (lock == null) {
            return false;
        }
        Path lockFile = dir.resolve(LogFormat.LOCK_FILE);
        try (lock; Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                if (!f.equals(lockFile) && !f.equals(dir)) {
                    Files.delete(f);
                }
            }
        }
        try {
            Files.delete(lockFile);
            Files.delete(dir);
        } catch (NoSuchFileException e) {
            // deleted meanwhile by another pass
        }
        return true;
    }
}
