package io.gpumigrate.checkpoint;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes encoded chunks into several chunk files at once: each of {@code lanes} threads owns
 * one open file at a time (a new one once it passes the file limit), and chunks are dealt to
 * the lanes in turn, so that a dump is not bound by one thread's writes. A chunk's slot is
 * released when its lane has written it.
 *
 * <p>The producer thread calls {@link #accept}, {@link #finish} and {@link #close}; the first
 * write failure is rethrown by the next of those calls.
 */
final class ChunkFileLanes implements ParallelChunkEncoder.Sink, AutoCloseable {

    private final Path dir;
    private final int chunkSize;
    private final long fileLimit;
    private final ExecutorService[] lanes;
    /** Each lane's open file; touched only on that lane's thread. */
    private final ChunkFileWriter[] open;
    private final AtomicInteger nextFile = new AtomicInteger();
    private final AtomicReference<IOException> failure = new AtomicReference<>();
    private final Map<String, CheckpointManifest.FileEntry> finished = new TreeMap<>();
    private int next;

    ChunkFileLanes(Path dir, int chunkSize, long fileLimit, int lanes) {
        this.dir = dir;
        this.chunkSize = chunkSize;
        this.fileLimit = fileLimit;
        this.lanes = new ExecutorService[lanes];
        this.open = new ChunkFileWriter[lanes];
        for (int i = 0; i < lanes; i++) {
            int lane = i;
            this.lanes[i] = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "gpumigrate-chunk-file-" + lane);
                t.setDaemon(true);
                return t;
            });
        }
    }

    @Override
    public void accept(EncodedChunk chunk, Runnable release) throws IOException {
        check();
        int lane = next;
        next = (next + 1) % lanes.length;
        lanes[lane].execute(() -> {
            try {
                if (failure.get() == null) {
                    write(lane, chunk);
                }
            } catch (IOException | RuntimeException e) {
                failure.compareAndSet(null, e instanceof IOException io ? io
                        : new IOException("writing a chunk file failed: " + e, e));
            } finally {
                release.run();
            }
        });
    }

    private void write(int lane, EncodedChunk chunk) throws IOException {
        if (open[lane] == null) {
            open[lane] = new ChunkFileWriter(dir.resolve(CheckpointFormat.chunkFileName(nextFile.getAndIncrement())),
                    chunkSize);
        }
        open[lane].append(chunk);
        if (open[lane].size() >= fileLimit) {
            finishFile(lane);
        }
    }

    /** On the lane's thread: forces its open file to disk and records its manifest entry. */
    private void finishFile(int lane) throws IOException {
        ChunkFileWriter writer = open[lane];
        if (writer != null) {
            open[lane] = null;
            try {
                CheckpointManifest.FileEntry entry = writer.finish();
                synchronized (finished) {
                    finished.put(entry.name(), entry);
                }
            } finally {
                writer.close();
            }
        }
    }

    /**
     * Waits for every lane to write what it was given, finishes the open files, and returns the
     * manifest entries of every chunk file, by name.
     */
    Map<String, CheckpointManifest.FileEntry> finish() throws IOException {
        Future<?>[] done = new Future<?>[lanes.length];
        for (int i = 0; i < lanes.length; i++) {
            int lane = i;
            done[i] = lanes[i].submit(() -> {
                finishFile(lane);
                return null;
            });
        }
        for (Future<?> f : done) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while finishing chunk files");
            } catch (ExecutionException e) {
                failure.compareAndSet(null, e.getCause() instanceof IOException io ? io
                        : new IOException("finishing a chunk file failed: " + e.getCause(), e.getCause()));
            }
        }
        check();
        synchronized (finished) {
            return new TreeMap<>(finished);
        }
    }

    private void check() throws IOException {
        IOException e = failure.get();
        if (e != null) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Closes every open file (unfinished ones stay incomplete) and stops the lanes. */
    @Override
    public void close() {
        for (int i = 0; i < lanes.length; i++) {
            int lane = i;
            lanes[i].execute(() -> {
                if (open[lane] != null) {
                    try {
                        open[lane].close();
                    } catch (IOException ignored) {
                        // the directory is deleted or the failure already reported
                    }
                    open[lane] = null;
                }
            });
            lanes[i].shutdown();
        }
        for (ExecutorService lane : lanes) {
            try {
                lane.awaitTermination(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
