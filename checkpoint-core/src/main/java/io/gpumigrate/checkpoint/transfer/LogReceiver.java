package io.gpumigrate.checkpoint.transfer;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jpountz.xxhash.StreamingXXHash64;
import net.jpountz.xxhash.XXHashFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The target's side of shipping a replay log ({@link LogShipper}): writes the LOG_DATA pieces
 * under a staging directory as they arrive, hashing them, and at FINISH checks them against
 * LOG_END ({@link #outcome()}). Never fails the migration: what goes wrong is kept as the
 * outcome's problem, and the pieces that follow are dropped.
 *
 * <p>Thread-safe: frames arrive on an event loop, the outcome is taken on the apply executor.
 */
public final class LogReceiver {

    private static final Logger log = LoggerFactory.getLogger(LogReceiver.class);

    /** A file received so far. */
    private static final class Received implements AutoCloseable {
        final FileChannel channel;
        long size;
        final StreamingXXHash64 hash = XXHashFactory.fastestJavaInstance().newStreamingHash64(0);

        Received(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public void close() throws IOException {
            hash.close();
            channel.close();
        }
    }

    private Path staging;
    private String ownKey;
    private boolean begun;
    private boolean sameDirectory;
    private List<TransferMessage.LogFile> expected;
    private String problem;
    private final Map<String, Received> files = new LinkedHashMap<>();
    private long bytes;
    private LogOutcome outcome;

    /**
     * Where to put the log: files go under {@code staging} (created when the first arrives);
     * {@code ownDirectoryKey} is {@link LogShipper#directoryKey} of the log directory the
     * target will use (null when it has none): a source with the same key shares it, and
     * nothing is written. Call before the source connects.
     */
    public synchronized void expect(Path staging, String ownDirectoryKey) {
        this.staging = staging;
        this.ownKey = ownDirectoryKey;
    }

    synchronized void begin(TransferMessage.LogBegin b) {
        if (begun) {
            fail("a second LOG_BEGIN");
            return;
        }
        begun = true;
        sameDirectory = ownKey != null && ownKey.equals(b.directoryKey());
        if (staging == null && !sameDirectory) {
            fail("this target keeps no replay log");
        }
    }

    synchronized void data(TransferMessage.LogData d) {
        ByteBuf data = d.data();
        try {
            if (!begun) {
                fail("LOG_DATA before LOG_BEGIN");
            }
            if (problem != null || sameDirectory || outcome != null) {
                return;
            }
            Received r = files.get(d.name());
            if (r == null) {
                Path file = resolve(d.name());
                if (file == null) {
                    return;
                }
                Files.createDirectories(file.getParent());
                r = new Received(FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
                files.put(d.name(), r);
            }
            if (d.offset() != r.size) {
                fail("log file " + d.name() + ": a piece at offset " + d.offset() + " after " + r.size
                        + " bytes; pieces must follow each other");
                return;
            }
            int n = data.readableBytes();
            byte[] bytes = new byte[n];
            data.getBytes(data.readerIndex(), bytes);
            java.nio.ByteBuffer from = java.nio.ByteBuffer.wrap(bytes);
            while (from.hasRemaining()) {
                r.channel.write(from, r.size + from.position());
            }
            r.hash.update(bytes, 0, n);
            r.size += n;
            this.bytes += n;
        } catch (IOException | RuntimeException e) {
            fail("writing log file " + d.name() + " under " + staging + " failed: " + e);
        } finally {
            data.release();
        }
    }

    synchronized void end(TransferMessage.LogEnd e) {
        if (!begun) {
            fail("LOG_END before LOG_BEGIN");
        } else if (expected != null) {
            fail("a second LOG_END");
        } else {
            expected = e.files();
        }
    }

    /**
     * What arrived, checked: every file LOG_END lists must have arrived with exactly its length
     * and hash. Taken once, at FINISH (later calls return the same); closes the files.
     */
    public synchronized LogOutcome outcome() {
        if (outcome != null) {
            return outcome;
        }
        if (!begun) {
            outcome = new LogOutcome(LogOutcome.Status.NONE, staging, List.of(), 0, "the source sent no replay log");
        } else if (sameDirectory) {
            outcome = new LogOutcome(LogOutcome.Status.SAME_DIRECTORY, staging, List.of(), 0, null);
        } else {
            if (problem == null && expected == null) {
                fail("no LOG_END arrived before FINISH");
            }
            if (problem == null) {
                check();
            }
            outcome = new LogOutcome(problem == null ? LogOutcome.Status.COMPLETE : LogOutcome.Status.INCOMPLETE,
                    staging, problem == null ? expected : List.of(), bytes, problem);
        }
        closeFiles();
        if (outcome.problem() != null && outcome.status() == LogOutcome.Status.INCOMPLETE) {
            log.warn("replay log transfer incomplete: {}", outcome.problem());
        }
        return outcome;
    }

    private void check() {
        for (TransferMessage.LogFile f : expected) {
            Received r = files.get(f.name());
            long got = r == null ? 0 : r.size;
            if (got != f.size()) {
                fail("log file " + f.name() + ": " + got + " bytes arrived, the source has " + f.size());
                return;
            }
            long hash = r == null ? XXHashFactory.fastestJavaInstance().hash64().hash(new byte[0], 0, 0, 0)
                    : r.hash.getValue();
            if (hash != f.hash()) {
                fail("log file " + f.name() + ": xxHash64 " + Long.toHexString(hash) + " of what arrived differs from the"
                        + " source's " + Long.toHexString(f.hash()));
                return;
            }
        }
    }

    /** The staged path of a relative name, or null (and a problem) for a name that leaves the staging directory. */
    private Path resolve(String name) {
        if (name.isEmpty() || name.startsWith("/") || name.contains("\\") || name.contains("\0")) {
            fail("log file name \"" + name + "\" is not a relative path");
            return null;
        }
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.startsWith(".")) {
                fail("log file name \"" + name + "\" has an empty or hidden part");
                return null;
            }
        }
        return staging.resolve(name);
    }

    private void fail(String reason) {
        if (problem == null) {
            problem = reason;
        }
    }

    private void closeFiles() {
        for (Received r : files.values()) {
            try {
                r.close();
            } catch (IOException e) {
                fail("closing a staged log file failed: " + e);
            }
        }
        files.clear();
    }
}
