package io.gpumigrate.replay.retention;

import io.gpumigrate.protocol.Op;
import io.gpumigrate.replay.Calls;
import io.gpumigrate.replay.LoggedCall;
import io.gpumigrate.replay.write.LogWriter;
import io.gpumigrate.replay.write.LogWriterConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogRetentionTest {

    static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    /** Writes a finished log of about {@code kib} KiB (incompressible) last modified {@code ageHours} ago. */
    static Path finishedLog(Path root, String name, int kib, int ageHours) throws IOException {
        Path dir = root.resolve(name);
        try (LogWriter w = LogWriter.open(dir, name.hashCode(), LogWriterConfig.defaults().withBlobMinBytes(1 << 20))) {
            Calls.append(w, LoggedCall.of(1, Op.MEMCPY_HTOD, 0, Calls.htod(0, 0, Calls.random(new Random(name.hashCode()), kib << 10))));
        }
        setAge(dir, ageHours);
        return dir;
    }

    static void setAge(Path dir, int ageHours) throws IOException {
        FileTime t = FileTime.from(NOW.minus(Duration.ofHours(ageHours)));
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.toList()) {
                Files.setLastModifiedTime(f, t);
            }
        }
    }

    static List<String> names(List<StoredLog> logs) {
        return logs.stream().map(l -> l.dir().getFileName().toString()).sorted().toList();
    }

    @Test
    void logsOlderThanTheAgeLimitAreDeleted(@TempDir Path root) throws Exception {
        finishedLog(root, "s1", 4, 48);
        finishedLog(root, "s2", 4, 30);
        finishedLog(root, "s3", 4, 2);
        Files.createDirectories(root.resolve("not-a-log"));

        RetentionReport report = new LogRetention(root, Long.MAX_VALUE, Duration.ofDays(1), CLOCK).apply();

        assertEquals(List.of("s1", "s2"), names(report.deletedForAge()));
        assertFalse(Files.exists(root.resolve("s1")));
        assertFalse(Files.exists(root.resolve("s2")));
        assertTrue(Files.exists(root.resolve("s3")));
        assertTrue(Files.exists(root.resolve("not-a-log")), "directories that are not logs are left alone");
        assertTrue(report.bytesFreed() > 8 << 10);
    }

    @Test
    void theOldestLogsGoUntilTheRestFitTheSizeLimit(@TempDir Path root) throws Exception {
        finishedLog(root, "oldest", 100, 5);
        finishedLog(root, "older", 100, 4);
        finishedLog(root, "newer", 100, 3);
        finishedLog(root, "newest", 100, 2);
        long each = LogRetention.list(root).getFirst().bytes();

        RetentionReport report = new LogRetention(root, 2 * each + 1000, Duration.ofDays(30), CLOCK).apply();

        assertEquals(List.of("older", "oldest"), names(report.deletedForSize()));
        assertEquals(List.of("newer", "newest"), names(LogRetention.list(root)));
        assertTrue(report.bytesKept() <= 2 * each + 1000);
    }

    @Test
    void aLogStillBeingWrittenIsNeverDeleted(@TempDir Path root) throws Exception {
        finishedLog(root, "done", 100, 100);
        Path activeDir = root.resolve("running");
        try (LogWriter w = LogWriter.open(activeDir, 9, LogWriterConfig.defaults().withBlobMinBytes(1 << 20))) {
            Calls.append(w, LoggedCall.of(1, Op.MEMCPY_HTOD, 0, Calls.htod(0, 0, Calls.random(new Random(1), 200 << 10))));
            w.flush();
            setAge(activeDir, 100);

            RetentionReport report = new LogRetention(root, 0, Duration.ofHours(1), CLOCK).apply();

            assertEquals(List.of("done"), names(report.deletedForAge()));
            assertEquals(List.of("running"), names(report.kept()));
            assertTrue(report.kept().getFirst().active());
            assertTrue(Files.exists(activeDir.resolve("00000000000000000001.seg")));
        }
        RetentionReport after = new LogRetention(root, 0, Duration.ofHours(1), CLOCK).apply();
        assertEquals(1, after.deletedForAge().size() + after.deletedForSize().size(), "once finished it may go");
        assertFalse(Files.exists(activeDir));
    }
}
