package io.gpumigrate.replay.read;

import io.gpumigrate.replay.Calls;
import io.gpumigrate.replay.LogEntry;
import io.gpumigrate.replay.LogGap;
import io.gpumigrate.replay.LoggedCall;
import io.gpumigrate.replay.format.LogFormat;
import io.gpumigrate.replay.write.LogWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A log copied file by file (what a migration or a checkpoint image does) reads the same, and is continued. */
class LogCopyTest {

    @TempDir
    Path tmp;

    @Test
    void theListedFilesAreTheWholeLogAndACopyOfThemIsContinuedWithAGapMarkingLostCalls() throws Exception {
        Path source = tmp.resolve("source");
        List<LoggedCall> calls = RoundTripTest.session(3000, 5);
        try (LogWriter w = LogWriter.open(source, 9, RoundTripTest.SMALL)) {
            calls.forEach(c -> Calls.append(w, c));
        }
        Files.writeString(source.resolve("blobs/not-a-blob.tmp"), "x");
        List<String> names = LogFiles.list(source);
        assertTrue(names.stream().filter(n -> n.endsWith(LogFormat.SEGMENT_SUFFIX)).count() >= 2, names.toString());
        assertTrue(names.stream().anyMatch(n -> n.startsWith("blobs/") && n.endsWith(LogFormat.BLOB_SUFFIX)), names.toString());
        assertTrue(names.stream().noneMatch(n -> n.contains(LogFormat.LOCK_FILE) || n.endsWith(".tmp")), names.toString());

        Path copy = tmp.resolve("copy");
        for (String name : names) {
            Files.createDirectories(copy.resolve(name).getParent());
            Files.copy(source.resolve(name), copy.resolve(name));
        }
        long last = calls.getLast().seq();
        try (LogWriter w = LogWriter.open(copy, 9, RoundTripTest.SMALL)) {
            assertEquals(last, w.lastSeq());
            assertThrows(IllegalArgumentException.class, () -> w.appendGap(last, last + 5, 6));
            w.appendGap(last + 1, last + 10, 10);
            Calls.append(w, LoggedCall.of(last + 11, calls.getFirst().op(), calls.getFirst().flags(),
                    calls.getFirst().body()));
        }
        try (LogReader r = SessionLog.open(copy).reader(0, Long.MAX_VALUE, true)) {
            List<LogEntry> all = r.readAll();
            for (int i = 0; i < calls.size(); i++) {
                RoundTripTest.assertSameCall(calls.get(i), all.get(i));
            }
            assertEquals(new LogGap(last + 1, last + 10, 10), all.get(calls.size()));
            assertEquals(last + 11, assertInstanceOf(LoggedCall.class, all.get(calls.size() + 1)).seq());
            assertEquals(calls.size() + 2, all.size());
        }
    }
}
