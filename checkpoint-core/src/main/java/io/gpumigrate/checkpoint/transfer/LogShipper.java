package io.gpumigrate.checkpoint.transfer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jpountz.xxhash.StreamingXXHash64;
import net.jpountz.xxhash.XXHashFactory;

/**
 * Ships a session's replay log to a migration target, in two steps so that the pause carries
 * little of it:
 * <ol>
 * <li>{@link #shipChanges} while the session runs (during pre-copy): every byte of every log
 *     file that is there now: sealed segments, blobs, and the active segment as far as it is
 *     written;</li>
 * <li>{@link #shipFinal} in the pause, after the log's writer was flushed: only what was
 *     added since (the active segment's tail, new segments and blobs), then {@code LOG_END}
 *     with every file's length and xxHash64.</li>
 * </ol>
 * This relies on the log's files being append-only while their writer has them open (bytes
 * once written never change, files are not removed): the writer only appends to its current
 * segment and writes blobs once, under their final name.
 *
 * <p>Not thread-safe: the migration's thread drives it; it reads files and never touches the
 * session.
 */
public final class LogShipper implements AutoCloseable {

    /** The most file bytes in one LOG_DATA frame. */
    public static final int PIECE_BYTES = 1 << 20;

    /** Where the frames go: the primary stream of a transfer, or a receiver directly in tests. */
    @FunctionalInterface
    public interface Sink {
        /** Sends one frame; returns once it is written (or throws when it could not be). */
        void send(TransferMessage message) throws IOException;
    }

    /** The log's files now, as relative names with {@code /} separators, in the order to send them. */
    @FunctionalInterface
    public interface Lister {
        List<String> list(Path dir) throws IOException;
    }

    /** A file sent so far: how many bytes, and the hash of those bytes. */
    private static final class Sent {
        long offset;
        final StreamingXXHash64 hash = XXHashFactory.fastestJavaInstance().newStreamingHash64(0);
    }

    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

    private final Path dir;
    private final Lister lister;
    private final Map<String, Sent> sent = new LinkedHashMap<>();
    private boolean begun;
    private long bytes;

    public LogShipper(Path dir, Lister lister) {
        this.dir = dir;
        this.lister = lister;
    }

    /**
     * A name for {@code dir} that two processes find equal only when they use the same
     * directory: the running kernel (Linux's boot id, which containers of one host share; else
     * the host name), the real path and the file system's key of the directory (device and
     * inode on Linux).
     */
    public static String directoryKey(Path dir) throws IOException {
        Path real = dir.toRealPath();
        Object fileKey = Files.readAttributes(real, BasicFileAttributes.class).fileKey();
        String machine;
        try {
            machine = Files.readString(BOOT_ID).strip();
        } catch (IOException e) {
            machine = InetAddress.getLocalHost().getHostName();
        }
        return machine + "|" + real + "|" + fileKey;
    }

    /** Sends LOG_BEGIN (the first time) and every byte the log gained since the last call; returns the file bytes sent. */
    public long shipChanges(Sink sink) throws IOException {
        if (!begun) {
            sink.send(new TransferMessage.LogBegin(directoryKey(dir)));
            begun = true;
        }
        long before = bytes;
        for (String name : lister.list(dir)) {
            Sent s = sent.computeIfAbsent(name, n -> new Sent());
            shipFile(sink, name, s);
        }
        return bytes - before;
    }

    /**
     * {@link #shipChanges}, then LOG_END listing every file sent with its length and hash.
     * Call it once the log's writer is flushed and the session paused, so that nothing changes after.
     */
    public long shipFinal(Sink sink) throws IOException {
        long n = shipChanges(sink);
        List<TransferMessage.LogFile> files = new ArrayList<>(sent.size());
        sent.forEach((name, s) -> files.add(new TransferMessage.LogFile(name, s.offset, s.hash.getValue())));
        sink.send(new TransferMessage.LogEnd(files));
        return n;
    }

    /** File bytes sent in all. */
    public long bytesSent() {
        return bytes;
    }

    private void shipFile(Sink sink, String name, Sent s) throws IOException {
        Path file = dir.resolve(name);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < s.offset) {
                throw new IOException("log file " + file + " shrank from " + s.offset + " to " + size
                        + " bytes while it was being shipped; log files must only grow");
            }
            while (s.offset < size) {
                int n = (int) Math.min(PIECE_BYTES, size - s.offset);
                byte[] piece = new byte[n];
                java.nio.ByteBuffer into = java.nio.ByteBuffer.wrap(piece);
                while (into.hasRemaining()) {
                    if (ch.read(into, s.offset + into.position()) < 0) {
                        throw new IOException("log file " + file + " ended at " + (s.offset + into.position())
                                + " bytes, before the " + size + " it had");
                    }
                }
                s.hash.update(piece, 0, n);
                ByteBuf data = Unpooled.wrappedBuffer(piece);
                sink.send(new TransferMessage.LogData(name, s.offset, data));
                s.offset += n;
                bytes += n;
            }
        } catch (NoSuchFileException e) {
            if (s.offset > 0) {
                throw new IOException("log file " + file + " disappeared after " + s.offset + " bytes were shipped", e);
            }
            sent.remove(name); // gone before a byte of it was read (a blob's temporary name): not part of the log
        }
    }

    /** Frees the hash states. */
    @Override
    public void close() {
        sent.values().forEach(s -> s.hash.close());
        sent.clear();
    }
}
