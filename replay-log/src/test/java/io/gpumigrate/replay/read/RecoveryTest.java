package io.gpumigrate.replay.read;

import io.gpumigrate.replay.LogEntry;
import io.gpumigrate.replay.LoggedCall;
import io.gpumigrate.replay.format.BlockHeader;
import io.gpumigrate.replay.format.CorruptLogException;
import io.gpumigrate.replay.format.SegmentHeader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static io.gpumigrate.replay.read.RoundTripTest.SMALL;
import static io.gpumigrate.replay.read.RoundTripTest.assertSameCall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecoveryTest {

    static final List<LoggedCall> CALLS = RoundTripTest.session(6_000, 9);
    @TempDir
    static Path original;

    @BeforeAll
    static void writeOriginal() throws Exception {
        RoundTripTest.write(original, CALLS, SMALL);
    }

    static Path copyOf(Path dir, Path target) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.naturalOrder()).toList()) {
                Path to = target.resolve(dir.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        return target;
    }

    /** Offsets of the blocks in a segment, from its headers. */
    static List<Long> blockOffsets(Path segment) throws IOException {
        List<Long> offsets = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ)) {
            FrameScanner s = new FrameScanner(ch, ch.size());
            long pos = SegmentHeader.read(ch, segment).length();
            FrameScanner.Frame f;
            while ((f = s.at(pos, false)).kind() == FrameScanner.Kind.VALID) {
                offsets.add(pos);
                pos += f.header().frameLength();
            }
        }
        return offsets;
    }

    static void flipByte(Path file, long offset) throws IOException {
        byte[] all = Files.readAllBytes(file);
        all[(int) offset] ^= 0x5A;
        Files.write(file, all);
    }

    static List<LogEntry> readAll(Path dir) throws IOException {
        try (LogReader r = SessionLog.open(dir).reader()) {
            return r.readAll();
        }
    }

    @Test
    void aTornLastSegmentIsTruncatedAtItsLastValidBlock(@TempDir Path work) throws Exception {
        Random random = new Random(5);
        List<Path> segments = Segments.list(original);
        Path lastName = segments.getLast().getFileName();
        long lastFirstSeq = SessionLog.open(original).segments().getLast().header().firstSeq();
        long size = Files.size(segments.getLast());
        long before = CALLS.stream().filter(c -> c.seq() < lastFirstSeq).count();
        for (int trial = 0; trial < 25; trial++) {
            long cut = trial == 0 ? 7 : trial == 1 ? size - 1 : 1 + random.nextLong(size - 1);
            Path dir = copyOf(original, work.resolve("trial" + trial));
            Path last = dir.resolve(lastName);
            try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
                ch.truncate(cut);
            }

            RecoveryReport report = SessionLog.open(dir).recovery();

            String where = "cut at " + cut + " of " + size + ": " + report;
            if (report.truncated()) {
                assertEquals(cut, report.validBytes() + report.droppedBytes(), where);
            }
            if (cut < SegmentHeader.LENGTH + BlockHeader.LENGTH) {
                assertEquals(cut, report.droppedBytes(), where);
            }
            if (report.truncated() && report.validBytes() == 0) {
                assertFalse(Files.exists(last), "a segment with no valid block is deleted: " + where);
            } else {
                assertEquals(report.validBytes(), Files.size(last), where);
            }
            List<LogEntry> read = readAll(dir);
            assertTrue(read.size() >= before && read.size() < CALLS.size(), where + ", read " + read.size());
            for (int i = 0; i < read.size(); i++) {
                assertSameCall(CALLS.get(i), read.get(i));
            }
            assertFalse(SessionLog.open(dir).recovery().truncated(), "recovered once is intact: " + where);
        }
    }

    @Test
    void aCorruptedBlockInsideTheLastSegmentIsRefusedNamingFileAndOffset(@TempDir Path work) throws Exception {
        Path dir = copyOf(original, work.resolve("log"));
        Path last = Segments.list(dir).getLast();
        List<Long> blocks = blockOffsets(last);
        assertTrue(blocks.size() >= 3, "blocks in the last segment: " + blocks.size());
        long victim = blocks.get(1) + BlockHeader.LENGTH + 10;
        flipByte(last, victim);
        long sizeBefore = Files.size(last);

        CorruptLogException e = assertThrows(CorruptLogException.class, () -> SessionLog.open(dir));

        assertTrue(e.getMessage().contains(last.getFileName().toString()), e.getMessage());
        assertEquals(blocks.get(1), e.offset());
        assertTrue(e.getMessage().contains("offset " + blocks.get(1)), e.getMessage());
        assertEquals(sizeBefore, Files.size(last), "a refused log is left as it was");
    }

    @Test
    void aCorruptedBlockHeaderInsideTheLastSegmentIsRefused(@TempDir Path work) throws Exception {
        Path dir = copyOf(original, work.resolve("log"));
        Path last = Segments.list(dir).getLast();
        long victim = blockOffsets(last).get(1);
        flipByte(last, victim + 2); // the body length

        CorruptLogException e = assertThrows(CorruptLogException.class, () -> SessionLog.open(dir));
        assertEquals(victim, e.offset());
        assertTrue(e.getMessage().contains(last.getFileName().toString()), e.getMessage());
    }

    @Test
    void aCorruptedBlockInAFinishedSegmentIsRefusedWhenRead(@TempDir Path work) throws Exception {
        Path dir = copyOf(original, work.resolve("log"));
        Path second = Segments.list(dir).get(1);
        long victim = blockOffsets(second).get(2);
        flipByte(second, victim + BlockHeader.LENGTH + 1);

        SessionLog log = SessionLog.open(dir);
        assertFalse(log.recovery().truncated());
        try (LogReader r = log.reader()) {
            CorruptLogException e = assertThrows(CorruptLogException.class, r::readAll);
            assertEquals(second.getFileName(), e.file().getFileName());
            assertEquals(victim, e.offset());
            assertTrue(e.getMessage().contains(second.getFileName() + " at offset " + victim), e.getMessage());
        }
    }

    @Test
    void aTruncatedFinishedSegmentIsRefusedNotSkipped(@TempDir Path work) throws Exception {
        Path dir = copyOf(original, work.resolve("log"));
        Path first = Segments.list(dir).getFirst();
        try (FileChannel ch = FileChannel.open(first, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 100);
        }
        try (LogReader r = SessionLog.open(dir).reader()) {
            CorruptLogException e = assertThrows(CorruptLogException.class, r::readAll);
            assertEquals(first.getFileName(), e.file().getFileName());
        }
    }
}
