package io.gpumigrate.replay.read;

import io.gpumigrate.replay.format.CorruptLogException;
import io.gpumigrate.replay.format.SegmentHeader;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Checks the last segment of a log block by block and cuts off a torn tail. The caller must hold
 * the log's {@code WriterLock}: recovery changes files.
 */
public final class TailRecovery {

    /** What recovery did, and the last sequence number the log holds (0 when none). */
    public record Result(RecoveryReport report, long lastSeq) {
    }

    private TailRecovery() {
    }

    /**
     * Recovers the log in {@code dir}.
     *
     * @throws CorruptLogException when the last segment is damaged before its tail: a bad block
     *     with valid data after it is not what a crash leaves, and is refused
     */
    public static Result recover(Path dir) throws IOException {
        List<Path> segments = Segments.list(dir);
        if (segments.isEmpty()) {
            return new Result(RecoveryReport.empty(), 0);
        }
        Path last = segments.getLast();
        long lastSeq = 0;
        RecoveryReport report;
        try (FileChannel ch = FileChannel.open(last, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            SegmentHeader.Read header = SegmentHeader.read(ch, last);
            if (header == null) {
                report = new RecoveryReport(last, 0, size, "segment header cut short", false);
            } else {
                FrameScanner scanner = new FrameScanner(ch, size);
                long pos = header.length();
                FrameScanner.Frame f;
                while ((f = scanner.at(pos, true)).kind() == FrameScanner.Kind.VALID) {
                    lastSeq = Math.max(lastSeq, f.header().lastSeq());
                    pos += f.header().frameLength();
                }
                if (f.kind() == FrameScanner.Kind.CORRUPT) {
                    throw new CorruptLogException(last, pos, f.reason() + "; valid data may follow, so the "
                            + "log is refused rather than truncated");
                }
                if (f.kind() == FrameScanner.Kind.END && pos > header.length()) {
                    report = RecoveryReport.intact(last, size);
                } else if (f.kind() == FrameScanner.Kind.END) {
                    report = new RecoveryReport(last, 0, size, "segment holds no block", false);
                } else if (pos == header.length()) {
                    report = new RecoveryReport(last, 0, size, f.reason() + "; no valid block left", false);
                } else {
                    ch.truncate(pos);
                    ch.force(true);
                    report = new RecoveryReport(last, pos, size - pos, f.reason(), false);
                }
            }
        }
        if (report.truncated() && report.validBytes() == 0) {
            // A segment without a single valid block is deleted, so that its name (its planned first
            // sequence number) is free for the writer that carries on.
            Files.delete(last);
            if (segments.size() > 1) {
                lastSeq = lastSeqOf(segments.get(segments.size() - 2));
            }
        }
        return new Result(report, lastSeq);
    }

    /** The last sequence number in a finished segment, from its block headers. */
    static long lastSeqOf(Path segment) throws IOException {
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ)) {
            SegmentHeader.Read header = SegmentHeader.read(ch, segment);
            if (header == null) {
                throw new CorruptLogException(segment, 0, "segment header cut short in a finished segment");
            }
            FrameScanner scanner = new FrameScanner(ch, ch.size());
            long pos = header.length();
            long lastSeq = 0;
            FrameScanner.Frame f;
            while ((f = scanner.at(pos, false)).kind() == FrameScanner.Kind.VALID) {
                lastSeq = Math.max(lastSeq, f.header().lastSeq());
                pos += f.header().frameLength();
            }
            if (f.kind() != FrameScanner.Kind.END) {
                throw new CorruptLogException(segment, pos, f.reason() + " in a finished segment");
            }
            return lastSeq;
        }
    }
}
