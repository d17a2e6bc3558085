package io.gpumigrate.replay.read;

import io.gpumigrate.protocol.Op;
import io.gpumigrate.replay.BlobRef;
import io.gpumigrate.replay.Calls;
import io.gpumigrate.replay.LogEntry;
import io.gpumigrate.replay.LoggedCall;
import io.gpumigrate.replay.blob.BlobFile;
import io.gpumigrate.replay.format.CorruptLogException;
import io.gpumigrate.replay.format.LittleEndian;
import io.gpumigrate.replay.format.LogFormat;
import io.gpumigrate.replay.format.UnsupportedLogVersionException;
import io.gpumigrate.replay.write.LogWriter;
import io.gpumigrate.replay.write.LogWriterConfig;
import io.gpumigrate.replay.write.WriterStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RefusalTest {

    static long sizeOf(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    @Test
    void aSegmentOfANewerMajorVersionIsRefusedNamingBothVersions(@TempDir Path dir) throws Exception {
        RoundTripTest.write(dir, RoundTripTest.session(100, 1), LogWriterConfig.defaults());
        Path segment = Segments.list(dir).getFirst();
        byte[] bytes = Files.readAllBytes(segment);
        LittleEndian.putU16(bytes, 4, 2);
        LittleEndian.putU16(bytes, 6, 3);
        Files.write(segment, bytes);

        UnsupportedLogVersionException e = assertThrows(UnsupportedLogVersionException.class,
                () -> SessionLog.open(dir));
        assertTrue(e.getMessage().contains("format 2.3"), e.getMessage());
        assertTrue(e.getMessage().contains("format 1." + io.gpumigrate.replay.format.LogFormat.VERSION_MINOR), e.getMessage());
        assertTrue(e.getMessage().contains(segment.getFileName().toString()), e.getMessage());
        assertEquals(bytes.length, Files.size(segment), "nothing is truncated in a log of another version");
    }

    @Test
    void aNewerMinorVersionIsRead(@TempDir Path dir) throws Exception {
        List<LoggedCall> calls = RoundTripTest.session(100, 1);
        RoundTripTest.write(dir, calls, LogWriterConfig.defaults());
        Path segment = Segments.list(dir).getFirst();
        byte[] bytes = Files.readAllBytes(segment);
        LittleEndian.putU16(bytes, 6, 7);
        LittleEndian.putI32(bytes, 36, crc(bytes, 36));
        Files.write(segment, bytes);
        try (LogReader r = SessionLog.open(dir).reader()) {
            assertEquals(calls.size(), r.readAll().size());
        }
    }

    private static int crc(byte[] b, int n) {
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        c.update(b, 0, n);
        return (int) c.getValue();
    }

    @Test
    void theSamePayloadUploadedAHundredTimesIsStoredOnce(@TempDir Path dir) throws Exception {
        byte[] payload = Calls.random(new Random(1), 1 << 20);
        WriterStats stats;
        try (LogWriter w = LogWriter.open(dir, 1, LogWriterConfig.defaults())) {
            for (int i = 1; i <= 100; i++) {
                Calls.append(w, LoggedCall.of(i, Op.MEMCPY_HTOD, 0, Calls.htod(0x2000_0000_0000L, 0, payload)));
            }
            w.flush();
            stats = w.stats();
        }
        assertEquals(1, stats.blobsWritten());
        assertEquals(99, stats.blobsDeduplicated());
        long size = sizeOf(dir);
        assertTrue(size > 1 << 20 && size < (1 << 20) + (16 << 10), "log of 100 identical 1 MiB uploads: " + size + " bytes");
        try (LogReader r = SessionLog.open(dir).reader()) {
            List<LogEntry> read = r.readAll();
            assertEquals(100, read.size());
            for (LogEntry e : read) {
                assertArrayEquals(Calls.htod(0x2000_0000_0000L, 0, payload), ((LoggedCall) e).body());
            }
        }
    }

    @Test
    void payloadsAreSharedAcrossSegmentsAndWriterSessions(@TempDir Path dir) throws Exception {
        byte[] payload = Calls.random(new Random(2), 64 << 10);
        LogWriterConfig config = LogWriterConfig.defaults().withSegmentBytes(64 << 10).withBlockBytes(4 << 10);
        Random random = new Random(5);
        long seq = 0;
        for (int run = 0; run < 2; run++) {
            try (LogWriter w = LogWriter.open(dir, 1, config)) {
                for (int i = 0; i < 2_000; i++) {
                    seq++;
                    byte[] body = i % 500 == 0 ? Calls.htod(0x1000, 0, payload) : Calls.launch(1, 1, 1, 0, Calls.random(random, 64));
                    Calls.append(w, LoggedCall.of(seq, i % 500 == 0 ? Op.MEMCPY_HTOD : Op.LAUNCH_KERNEL, 0, body));
                }
            }
        }
        assertTrue(Segments.list(dir).size() > 2, "segments: " + Segments.list(dir));
        try (Stream<Path> blobs = Files.walk(dir.resolve(LogFormat.BLOB_DIR))) {
            assertEquals(1, blobs.filter(p -> p.toString().endsWith(LogFormat.BLOB_SUFFIX)).count());
        }
        try (LogReader r = SessionLog.open(dir).reader()) {
            assertEquals(4_000, r.readAll().size());
        }
    }

    @Test
    void aMissingBlobIsRefusedNamingTheSegmentOffsetAndBlob(@TempDir Path dir) throws Exception {
        byte[] payload = Calls.random(new Random(3), 10_000);
        try (LogWriter w = LogWriter.open(dir, 1, LogWriterConfig.defaults())) {
            Calls.append(w, LoggedCall.of(1, Op.MEM_ALLOC, 1, Calls.memAlloc(10_000)));
            Calls.append(w, LoggedCall.of(2, Op.MEMCPY_HTOD, 0, Calls.htod(0x1000, 0, payload)));
        }
        Path blob;
        try (LogReader r = SessionLog.open(dir).reader(0, Long.MAX_VALUE, false)) {
            BlobRef ref = ((LoggedCall) r.readAll().get(1)).blob();
            blob = BlobFile.path(dir, ref);
        }
        Files.delete(blob);

        try (LogReader r = SessionLog.open(dir).reader()) {
            CorruptLogException e = assertThrows(CorruptLogException.class, r::readAll);
            String segment = LogFormat.segmentFileName(1);
            assertTrue(e.getMessage().contains(segment + " at offset 40"), e.getMessage());
            assertTrue(e.getMessage().contains("seq 2"), e.getMessage());
            assertTrue(e.getMessage().contains(blob.toString()), e.getMessage());
        }
    }

    @Test
    void aDamagedBlobIsRefusedAndANewerBlobVersionNamed(@TempDir Path dir) throws Exception {
        byte[] payload = Calls.random(new Random(4), 10_000);
        try (LogWriter w = LogWriter.open(dir, 1, LogWriterConfig.defaults())) {
            Calls.append(w, LoggedCall.of(1, Op.MEMCPY_HTOD, 0, Calls.htod(0x1000, 0, payload)));
        }
        Path blob;
        try (Stream<Path> files = Files.walk(dir.resolve(LogFormat.BLOB_DIR))) {
            blob = files.filter(p -> p.toString().endsWith(LogFormat.BLOB_SUFFIX)).findFirst().orElseThrow();
        }
        byte[] good = Files.readAllBytes(blob);
        byte[] bad = good.clone();
        bad[bad.length - 5] ^= 1;
        Files.write(blob, bad);
        try (LogReader r = SessionLog.open(dir).reader()) {
            CorruptLogException e = assertThrows(CorruptLogException.class, r::readAll);
            assertTrue(e.getMessage().contains("xxHash64"), e.getMessage());
            assertTrue(e.getMessage().contains(blob.getFileName().toString()), e.getMessage());
        }
        byte[] newer = good.clone();
        LittleEndian.putU16(newer, 4, 3);
        Files.write(blob, newer);
        try (LogReader r = SessionLog.open(dir).reader()) {
            UnsupportedLogVersionException e = assertThrows(UnsupportedLogVersionException.class, r::readAll);
            assertTrue(e.getMessage().contains("format 3." + io.gpumigrate.replay.format.LogFormat.VERSION_MINOR), e.getMessage());
        }
    }
}
