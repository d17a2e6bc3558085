package io.gpumigrate.replay.write;

import io.gpumigrate.replay.format.LogFormat;
import io.gpumigrate.replay.format.SegmentHeader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** The segment file being written. Not thread-safe: used by the writer thread only. */
final class SegmentOutput implements AutoCloseable {

    private final Path file;
    private final FileChannel channel;
    private long size;

    private SegmentOutput(Path file, FileChannel channel, long size) {
        this.file = file;
        this.channel = channel;
        this.size = size;
    }

    /** Creates the segment whose first entry has {@code firstSeq} and writes its header. */
    static SegmentOutput create(Path dir, long sessionId, long firstSeq) throws IOException {
        Path file = dir.resolve(LogFormat.segmentFileName(firstSeq));
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("segment " + file + " already exists: sequence number " + firstSeq
                    + " was logged before", e);
        }
        byte[] header = SegmentHeader.current(sessionId, System.currentTimeMillis(), firstSeq).encode();
        SegmentOutput out = new SegmentOutput(file, ch, 0);
        out.write(ByteBuffer.wrap(header));
        return out;
    }

    /** Appends every remaining byte of the buffers, in order. */
    void write(ByteBuffer... buffers) throws IOException {
        long n = 0;
        for (ByteBuffer b : buffers) {
            n += b.remaining();
        }
        long done = 0;
        while (done < n) {
            done += channel.write(buffers);
        }
        size += n;
    }

    void force() throws IOException {
        channel.force(false);
    }

    long size() {
        return size;
    }

    Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
