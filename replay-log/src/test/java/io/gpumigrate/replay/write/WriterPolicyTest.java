package io.gpumigrate.replay.write;

import io.gpumigrate.replay.LogEntry;
import io.gpumigrate.replay.LoggedCall;
import io.gpumigrate.replay.read.LogReader;
import io.gpumigrate.replay.read.RoundTripTest;
import io.gpumigrate.replay.read.SessionLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class WriterPolicyTest {

    @ParameterizedTest
    @EnumSource(FsyncPolicy.class)
    void everyFsyncPolicyKeepsEveryCall(FsyncPolicy policy, @TempDir Path dir) throws Exception {
        List<LoggedCall> calls = RoundTripTest.session(3_000, 4);
        RoundTripTest.write(dir, calls, RoundTripTest.SMALL.withFsync(policy));
        try (LogReader r = SessionLog.open(dir).reader()) {
            List<LogEntry> read = r.readAll();
            assertEquals(calls.size(), read.size());
            for (int i = 0; i < calls.size(); i++) {
                RoundTripTest.assertSameCall(calls.get(i), read.get(i));
            }
        }
    }

    @Test
    void anIdleSessionsCallsReachDiskAfterTheLingerTimeWithoutAFlush(@TempDir Path dir) throws Exception {
        LogWriterConfig config = LogWriterConfig.defaults().withLinger(Duration.ofMillis(20));
        try (LogWriter w = LogWriter.open(dir, 3, config)) {
            WriterBackpressureTest.appendLaunches(w, 1, 3);
            // Read while the writer still has the log open: its tail is neither checked nor cut.
            await().atMost(Duration.ofSeconds(30)).until(() -> readWhileActive(dir) == 3);
            WriterBackpressureTest.appendLaunches(w, 4, 5);
            await().atMost(Duration.ofSeconds(30)).until(() -> readWhileActive(dir) == 5);
        }
    }

    @Test
    void aNewLogsDirectoryIsReadableByItsOwnerOnly(@TempDir Path tmp) throws Exception {
        assumeTrue(tmp.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        Path dir = tmp.resolve("logs").resolve("42");
        try (LogWriter w = LogWriter.open(dir, 42, LogWriterConfig.defaults())) {
            WriterBackpressureTest.appendLaunches(w, 1, 3);
        }
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)),
                "a replay log holds the session's data");
    }

    private static int readWhileActive(Path dir) throws IOException {
        SessionLog log = SessionLog.open(dir);
        assertTrue(log.active());
        try (LogReader r = log.reader()) {
            return r.readAll().size();
        }
    }

    @Test
    void configurationOutsideItsRangeIsRefusedNamingTheRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LogWriterConfig.defaults().withSegmentBytes(1000));
        assertEquals("segmentBytes 1000 is outside 65536..1073741824", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LogWriterConfig.defaults().withZstdLevel(25));
        assertEquals("zstdLevel 25 is outside 1..19", e.getMessage());
    }
}
