package io.gpumigrate.replay.read;

import com.github.luben.zstd.ZstdDecompressCtx;
import io.gpumigrate.replay.BlobRef;
import io.gpumigrate.replay.LogEntry;
import io.gpumigrate.replay.LogGap;
import io.gpumigrate.replay.LoggedCall;
import io.gpumigrate.replay.blob.BlobFile;
import io.gpumigrate.replay.blob.BlobStore;
import io.gpumigrate.replay.format.BlockHeader;
import io.gpumigrate.replay.format.CorruptLogException;
import io.gpumigrate.replay.format.EntryCursor;
import io.gpumigrate.replay.format.LogFormat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

/**
 * Reads a log's entries in sequence order across its segments, checking every block's CRC as it
 * goes, attaching each logged status to its call and, when asked, each call's payload from the
 * blob store. Not thread-safe; close it to release its files.
 *
 * <p>Damage is refused, never skipped: a bad block in a finished segment, a block that does not
 * decode, or a missing or damaged blob throws {@link CorruptLogException} naming the file and
 * offset. In a log that a writer still has open, a last block not yet complete is where
 * reading ends.
 */
public final class LogReader implements AutoCloseable {

    private final SessionLog log;
    private final long fromSeq;
    private final long limit;
    private final boolean resolveBlobs;
    private final BlobStore blobs;
    private final ZstdDecompressCtx zstd = new ZstdDecompressCtx();
    private final ArrayDeque<LogEntry> ready = new ArrayDeque<>();

    private int segmentIndex = -1;
    private FileChannel channel;
    private FrameScanner scanner;
    private Path file;
    private long pos;
    private long emitted;
    private boolean exhausted;
    private Held held;

    /** A call read but not yet emitted, in case its status follows; with where it was found. */
    private record Held(LoggedCall call, Path file, long blockOffset) {
    }

    LogReader(SessionLog log, long fromSeq, long limit, boolean resolveBlobs) {
        this.log = log;
        this.fromSeq = fromSeq;
        this.limit = limit;
        this.resolveBlobs = resolveBlobs;
        this.blobs = BlobStore.forReading(log.directory());
        List<SessionLog.Segment> segments = log.segments();
        // Start in the last segment named below fromSeq: a call's status may spill into the next segment.
        int start = 0;
        for (int i = 0; i < segments.size(); i++) {
            if (segments.get(i).header().firstSeq() < fromSeq) {
                start = i;
            }
        }
        segmentIndex = start - 1;
    }

    /**
     * The next entry, or {@code null} after the last one (or once {@code limit} entries were read).
     *
     * @throws CorruptLogException for damage, naming the file and offset
     */
    public LogEntry next() throws IOException {
        while (ready.isEmpty() && !exhausted) {
            if (emitted >= limit) {
                exhausted = true;
                break;
            }
            if (!readBlock()) {
                exhausted = true;
                if (held != null) {
                    emit(held);
                    held = null;
                }
            }
        }
        if (ready.isEmpty() || emitted >= limit) {
            return null;
        }
        emitted++;
        return ready.poll();
    }

    /** Every remaining entry (mind the memory: payloads are included when resolved). */
    public List<LogEntry> readAll() throws IOException {
        List<LogEntry> all = new ArrayList<>();
        for (LogEntry e = next(); e != null; e = next()) {
            all.add(e);
        }
        return all;
    }

    /** Reads the next block with entries at or above fromSeq and decodes it; false at the end of the log. */
    private boolean readBlock() throws IOException {
        while (true) {
            if (channel == null && !openNextSegment()) {
                return false;
            }
            FrameScanner.Frame probe = scanner.at(pos, false);
            boolean wanted = probe.kind() == FrameScanner.Kind.VALID && probe.header().lastSeq() >= fromSeq;
            FrameScanner.Frame f = wanted ? scanner.at(pos, true) : probe;
            switch (f.kind()) {
                case VALID -> {
                    long at = pos;
                    pos += f.header().frameLength();
                    if (wanted) {
                        decode(f.header(), f.body(), at);
                        return true;
                    }
                }
                case END -> closeSegment();
                case INCOMPLETE -> {
                    if (log.active() && segmentIndex == log.segments().size() - 1) {
                        closeSegment();
                        return false;
                    }
                    throw new CorruptLogException(file, pos, f.reason() + " inside the log (not at its tail)");
                }
                case CORRUPT -> throw new CorruptLogException(file, pos, f.reason());
            }
        }
    }

    private boolean openNextSegment() throws IOException {
        List<SessionLog.Segment> segments = log.segments();
        if (segmentIndex + 1 >= segments.size()) {
            return false;
        }
        segmentIndex++;
        SessionLog.Segment s = segments.get(segmentIndex);
        file = s.file();
        channel = FileChannel.open(file, StandardOpenOption.READ);
        scanner = new FrameScanner(channel, channel.size());
        pos = s.headerLength();
        return true;
    }

    private void closeSegment() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    private void decode(BlockHeader h, byte[] body, long blockOffset) throws IOException {
        byte[] raw = body;
        if (h.codec() == LogFormat.CODEC_ZSTD) {
            raw = new byte[h.rawLength()];
            int n;
            try {
                n = zstd.decompressByteArray(raw, 0, raw.length, body, 0, body.length);
            } catch (RuntimeException e) {
                throw new CorruptLogException(file, blockOffset, "block does not decompress: " + e.getMessage());
            }
            if (n != raw.length) {
                throw new CorruptLogException(file, blockOffset, "block decompresses to " + n + " bytes, its header says "
                        + raw.length);
            }
        } else if (body.length != h.rawLength()) {
            throw new CorruptLogException(file, blockOffset, "uncompressed block of " + body.length
                    + " bytes, its header says " + h.rawLength());
        }
        EntryCursor c = new EntryCursor(raw, 0, raw.length, false);
        int entries = 0;
        try {
            while (c.next()) {
                accept(c, blockOffset);
                entries++;
            }
        } catch (IllegalArgumentException e) {
            throw new CorruptLogException(file, blockOffset, "malformed entry at byte " + c.entryStart()
                    + " of the block: " + e.getMessage());
        }
        if (entries != h.entryCount()) {
            throw new CorruptLogException(file, blockOffset, "block holds " + entries + " entries, its header says "
                    + h.entryCount());
        }
    }

    private void accept(EntryCursor c, long blockOffset) throws IOException {
        switch (c.kind()) {
            case EntryCursor.STATUS -> {
                if (held != null && held.call().seq() == c.seq()) {
                    held = new Held(held.call().withStatus(c.status()), held.file(), held.blockOffset());
                }
            }
            case EntryCursor.RESULT -> {
                if (held != null && held.call().seq() == c.seq()) {
                    byte[] results = Arrays.copyOfRange(c.bytes(), c.inlineOffset(), c.inlineOffset() + c.inlineLength());
                    held = new Held(held.call().withResults(results), held.file(), held.blockOffset());
                }
            }
            case EntryCursor.GAP -> {
                releaseHeld();
                if (c.gapLast() >= fromSeq) {
                    ready.add(new LogGap(c.seq(), c.gapLast(), c.gapCount()));
                }
            }
            default -> {
                releaseHeld();
                byte[] inline = Arrays.copyOfRange(c.bytes(), c.inlineOffset(), c.inlineOffset() + c.inlineLength());
                BlobRef blob = c.kind() == EntryCursor.CALL_BLOB ? new BlobRef(c.blobHash(), c.blobLength()) : null;
                OptionalInt status = c.hasStatus() ? OptionalInt.of(c.status()) : OptionalInt.empty();
                held = new Held(new LoggedCall(c.seq(), c.opCode(), c.flags(), inline, status, blob, blob == null),
                        file, blockOffset);
            }
        }
    }

    private void releaseHeld() throws IOException {
        if (held != null) {
            emit(held);
            held = null;
        }
    }

    private void emit(Held h) throws IOException {
        LoggedCall call = h.call();
        if (call.seq() < fromSeq) {
            return;
        }
        if (resolveBlobs && !call.resolved()) {
            call = resolve(call, h);
        }
        ready.add(call);
    }

    private LoggedCall resolve(LoggedCall call, Held h) throws IOException {
        BlobRef ref = call.blob();
        if (ref.length() > LogFormat.MAX_BLOCK_RAW_BYTES) {
            throw new CorruptLogException(h.file(), h.blockOffset(), "call seq " + call.seq() + " refers to blob "
                    + ref + ", longer than any payload (" + LogFormat.MAX_BLOCK_RAW_BYTES + " bytes)");
        }
        byte[] payload;
        try {
            payload = blobs.read(ref);
        } catch (NoSuchFileException e) {
            throw new CorruptLogException(h.file(), h.blockOffset(), "call seq " + call.seq() + " in the block at this "
                    + "offset refers to blob " + BlobFile.path(log.directory(), ref) + ", which is missing");
        }
        byte[] whole = Arrays.copyOf(call.body(), call.body().length + payload.length);
        System.arraycopy(payload, 0, whole, call.body().length, payload.length);
        return new LoggedCall(call.seq(), call.opCode(), call.flags(), whole, call.status(), ref, true, call.results());
    }

    @Override
    public void close() throws IOException {
        try {
            closeSegment();
        } finally {
            zstd.close();
            blobs.close();
        }
    }
}
