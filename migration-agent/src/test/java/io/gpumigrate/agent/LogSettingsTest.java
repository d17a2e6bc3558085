package io.gpumigrate.agent;

import io.gpumigrate.protocol.Op;
import io.gpumigrate.replay.write.LogWriter;
import io.gpumigrate.replay.write.LogWriterConfig;
import io.gpumigrate.worker.BackendChoice;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogSettingsTest {

    @TempDir
    Path data;

    @Test
    void workersOfARecordingAgentGetTheLogsRootWarmOrNot() {
        LogSettings logs = LogSettings.recordingUnder(data);
        for (long session : new long[] {42, -1}) {
            List<String> command = new WorkerLauncher("127.0.0.1", BackendChoice.EMULATOR, 60, logs).command(session);
            int i = command.indexOf("--log-root");
            assertTrue(i > 0, command.toString());
            assertEquals(data.resolve("logs").toString(), command.get(i + 1));
        }
        assertEquals(data.resolve("logs").resolve("42"), logs.sessionLog(42), "where the worker of session 42 records");
        assertFalse(new WorkerLauncher("127.0.0.1", BackendChoice.EMULATOR, 60, LogSettings.off()).command(42)
                .contains("--log-root"), "--no-log");
    }

    @Test
    void badLimitsAreRefusedNamingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LogSettings(data, true, -1, Duration.ofDays(1), Duration.ofMinutes(1)));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LogSettings(data, true, 0, Duration.ZERO, Duration.ofMinutes(1)));
    }

    @Test
    void retentionRunsWhenTheAgentStartsAndKeepsRecentLogs() throws Exception {
        LogSettings logs = new LogSettings(data, true, 1L << 30, Duration.ofDays(1), Duration.ofHours(1));
        Path old = logs.sessionLog(1);
        Path recent = logs.sessionLog(2);
        for (Path dir : List.of(old, recent)) {
            try (LogWriter w = LogWriter.open(dir, 1, LogWriterConfig.defaults())) {
                w.append(1, Op.MEM_ALLOC, 1, Unpooled.buffer().writeLongLE(64), 0);
            }
        }
        try (Stream<Path> files = Files.walk(old)) {
            for (Path f : files.toList()) {
                Files.setLastModifiedTime(f, FileTime.from(Instant.now().minus(Duration.ofDays(3))));
            }
        }
        try (NodeAgent agent = NodeAgent.start(new AgentConfig("n", 0, "127.0.0.1", BackendChoice.EMULATOR, null, 60), logs)) {
            assertEquals(logs, agent.logs());
            assertFalse(Files.exists(old), "a log older than the age limit is deleted at start");
            assertTrue(Files.exists(recent));
        }
    }
}
