package io.gpumigrate.replay.read;

import io.gpumigrate.replay.format.CorruptLogException;
import io.gpumigrate.replay.format.LogFormat;
import io.gpumigrate.replay.format.SegmentHeader;
import io.gpumigrate.replay.format.WriterLock;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A session's replay log, opened for reading. Opening checks every segment's header (a newer
 * major version is refused, naming both versions) and, unless a writer still has the log open,
 * recovers the tail of the last segment ({@link #recovery()}). Immutable; each
 * {@link #reader} is an independent cursor.
 */
public final class SessionLog {

    private final Path dir;
    private final List<Segment> segments;
    private final RecoveryReport recovery;
    private final boolean active;

    /** A segment file and its header. */
    public record Segment(Path file, SegmentHeader header, int headerLength) {
    }

    private SessionLog(Path dir, List<Segment> segments, RecoveryReport recovery, boolean active) {
        this.dir = dir;
        this.segments = segments;
        this.recovery = recovery;
        this.active = active;
    }

    /**
     * Opens the log in {@code dir}.
     *
     * @throws NoSuchFileException when {@code dir} is not a directory
     * @throws io.gpumigrate.replay.format.UnsupportedLogVersionException for a segment in a newer major version
     * @throws CorruptLogException for a damaged segment header, or a last segment damaged before its tail
     */
    public static SessionLog open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "not a replay log directory");
        }
        RecoveryReport recovery;
        boolean active;
        WriterLock lock = WriterLock.tryAcquire(dir);
        if (lock == null) {
            active = true;
            recovery = RecoveryReport.skippedWhileWritten();
        } else {
            active = false;
            try (lock) {
                checkHeaders(dir);
                recovery = TailRecovery.recover(dir).report();
            }
        }
        return new SessionLog(dir, checkHeaders(dir), recovery, active);
    }

    private static List<Segment> checkHeaders(Path dir) throws IOException {
        List<Segment> result = new ArrayList<>();
        List<Path> files = Segments.list(dir);
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                SegmentHeader.Read h = SegmentHeader.read(ch, f);
                if (h == null) {
                    if (i == files.size() - 1) {
                        continue; // a last segment still being created, or about to be recovered
                    }
                    throw new CorruptLogException(f, 0, "segment header cut short in a finished segment");
                }
                long named = LogFormat.segmentFirstSeq(f);
                if (h.header().firstSeq() != named) {
                    throw new CorruptLogException(f, 28, "header says the first sequence number is "
                            + h.header().firstSeq() + ", the file name says " + named);
                }
                result.add(new Segment(f, h.header(), h.length()));
            }
        }
        return List.copyOf(result);
    }

    /** What opening did to the tail. */
    public RecoveryReport recovery() {
        return recovery;
    }

    /** Whether a writer had the log open when it was opened (its tail was then left as it was). */
    public boolean active() {
        return active;
    }

    public Path directory() {
        return dir;
    }

    /** The segments, by first sequence number. */
    public List<Segment> segments() {
        return segments;
    }

    /** The session id from the first segment's header, or -1 for a log without segments. */
    public long sessionId() {
        return segments.isEmpty() ? -1 : segments.getFirst().header().sessionId();
    }

    /** When the first segment was created, or {@code null} for a log without segments. */
    public Instant created() {
        return segments.isEmpty() ? null : Instant.ofEpochMilli(segments.getFirst().header().createdMillis());
    }

    /** A reader over every entry, with payloads resolved from the blob store. */
    public LogReader reader() {
        return reader(0, Long.MAX_VALUE, true);
    }

    /**
     * A reader over entries whose sequence numbers reach {@code fromSeq} or above, at most
     * {@code limit} of them.
     *
     * @param resolveBlobs whether to read payloads from the blob store into each call's body
     *     ({@code false} for listings, which need only the blob's name and length)
     */
    public LogReader reader(long fromSeq, long limit, boolean resolveBlobs) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit " + limit + " is negative");
        }
        return new LogReader(this, fromSeq, limit, resolveBlobs);
    }
}
