package io.gpumigrate.replay.format;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The operating-system lock on a log directory's {@code writer.lock} file. A writer holds it for
 * as long as the log is open; recovery and retention take it before they change anything, so
 * they never touch a log that is still being written. The OS drops the lock when the holding
 * process dies, so a crashed writer never leaves a log locked. Thread-safe.
 */
public final class WriterLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private WriterLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of {@code dir}, creating the lock file if needed.
     *
     * @return the lock, or {@code null} when another writer (in this process or another) holds it
     */
    public static WriterLock tryAcquire(Path dir) throws IOException {
        return tryAcquire(dir.resolve(LogFormat.LOCK_FILE), true);
    }

    /** Whether a writer holds the lock of {@code dir} right now. */
    public static boolean isHeld(Path dir) throws IOException {
        WriterLock probe = tryAcquire(dir.resolve(LogFormat.LOCK_FILE), false);
        if (probe == null) {
            return Files.exists(dir.resolve(LogFormat.LOCK_FILE));
        }
        probe.close();
        return false;
    }

    private static WriterLock tryAcquire(Path file, boolean create) throws IOException {
        FileChannel channel;
        try {
            channel = create
                    ? FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)
                    : FileChannel.open(file, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            return null;
        }
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                return null;
            }
            return new WriterLock(channel, lock);
        } catch (OverlappingFileLockException e) {
            channel.close();
            return null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Releases the lock; the lock file stays. */
    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
