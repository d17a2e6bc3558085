package io.gpumigrate.checkpoint;

import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.ChunkDigests;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceBackend;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;

/**
 * Writes a checkpoint image ({@link CheckpointFormat}): the session image and the contents of
 * its allocations, read from the device through the SPI. The image is written into a
 * temporary directory beside {@code dir} and renamed to {@code dir} only when complete, so
 * nothing half-written is ever taken for an image. The image's directory is its owner's only
 * ({@link FileTrees#createPrivateDirectory}). Chunks are encoded on every core and written
 * into {@value #FILE_LANES} chunk files at once.
 *
 * <p>Thread-safe: a writer holds only its settings; each {@link #write} works on its own
 * state. {@link #write} calls {@code source} from the calling thread only, so call it on
 * the session's executor, with the session paused and its device drained.
 */
public final class CheckpointWriter {

    /** Default bytes per chunk file before a new one starts. */
    public static final long DEFAULT_FILE_LIMIT = 1L << 30;
    /** Chunk files written at once, each by its own thread. */
    static final int FILE_LANES = 4;

    private final ChunkCodec codec;
    private final long fileLimit;

    /**
     * @param fileLimit bytes after which a new chunk file starts, at least one chunk's worth
     */
    public CheckpointWriter(ChunkCodec codec, long fileLimit) {
        if (fileLimit < codec.chunkSize()) {
            throw new IllegalArgumentException("chunk file limit " + fileLimit + " is below the chunk size "
                    + codec.chunkSize());
        }
        this.codec = codec;
        this.fileLimit = fileLimit;
    }

    public CheckpointWriter() {
        this(new ChunkCodec(), DEFAULT_FILE_LIMIT);
    }

    /**
     * Writes {@code image} and the device memory of its allocations, read from {@code source},
     * as the checkpoint image {@code dir}, which must not exist yet.
     *
     * @throws FileAlreadyExistsException when {@code dir} exists
     * @throws CudaException when reading device memory fails; nothing is left on disk
     */
    public CheckpointStats write(SessionImage image, DeviceBackend source, Path dir, ProgressListener listener)
            throws IOException, CudaException {
        return write(image, source, dir, listener, null);
    }

    /**
     * As {@link #write(SessionImage, DeviceBackend, Path, ProgressListener)}, with the session's
     * replay log copied into the image ({@link ImageLog}); {@code log} null: without one.
     * The log's files must not change while this runs (the session paused, its writer flushed).
     */
    public CheckpointStats write(SessionImage image, DeviceBackend source, Path dir, ProgressListener listener,
                                 ImageLog.Source log) throws IOException, CudaException {
        return capture(image, source, dir, listener, log).seal(); // a failed seal deletes what it wrote
    }

    /**
     * The part of {@link #write(SessionImage, DeviceBackend, Path, ProgressListener, ImageLog.Source)}
     * that needs the session paused: every chunk read from {@code source} (and handed to the
     * encoder) and the log copied. What is left, {@link Capture#seal}, needs neither the device
     * nor the log, so a session left running can resume before it: the last chunks' encoding and
     * writing, forcing the files to disk, the manifest and the rename.
     *
     * @throws FileAlreadyExistsException when {@code dir} exists
     * @throws CudaException when reading device memory fails; nothing is left on disk
     */
    public Capture capture(SessionImage image, DeviceBackend source, Path dir, ProgressListener listener,
                           ImageLog.Source log) throws IOException, CudaException {
        return capture(image, source, dir, listener, log, reserve(0));
    }

    /**
     * Deletes the temporary directories that writers of this host left beside {@code dir} when
     * they were killed before their image was complete (their process has ended). Best effort;
     * it may take a while for large ones, so call it before the session pauses.
     *
     * @return the directories deleted
     */
    public static List<Path> removeUnfinished(Path dir) {
        return PartialImageDirs.sweep(dir.toAbsolutePath().getParent());
    }

    /**
     * The host memory a {@link #capture} of this writer works in, with {@code stagingBytes} of
     * {@link HostStaging} (0: none). Take it before the session pauses; it takes tens of ms.
     */
    public CaptureMemory reserve(long stagingBytes) {
        return new CaptureMemory(ParallelChunkEncoder.Slots.forSharedPool(codec),
                HostStaging.allocate(stagingBytes, codec.chunkSize(), ChunkWorkers.shared()));
    }

    /**
     * {@link #capture(SessionImage, DeviceBackend, Path, ProgressListener, ImageLog.Source)} in
     * {@code memory} ({@link #reserve}): it copies chunks into its staging while that has room, so
     * that this returns once they are in host memory; {@link Capture#seal} encodes and writes
     * them. The capture frees {@code memory} once sealed or abandoned.
     */
    public Capture capture(SessionImage image, DeviceBackend source, Path dir, ProgressListener listener,
                           ImageLog.Source log, CaptureMemory memory) throws IOException, CudaException {
        Path target = dir.toAbsolutePath();
        Path temp = PartialImageDirs.forImage(target);
        try {
            if (Files.exists(target)) {
                throw new FileAlreadyExistsException(target.toString(), null, "a checkpoint image must not overwrite anything");
            }
            FileTrees.createPrivateDirectory(temp); // owner-only, and so is the image it becomes
        } catch (IOException | RuntimeException e) {
            memory.close();
            throw e;
        }
        Capture capture = new Capture(target, temp, listener, image.allocatedBytes(), memory);
        try {
            long start = System.nanoTime();
            byte[] session = SessionImageCodec.encode(image);
            Files.write(temp.resolve(CheckpointFormat.SESSION_FILE), session);
            capture.files.put(CheckpointFormat.SESSION_FILE, new CheckpointManifest.FileEntry(CheckpointFormat.SESSION_FILE,
                    session.length, ChunkDigest.of(MemorySegment.ofArray(session))));
            capture.took(Step.SESSION_FILE, System.nanoTime() - start);
            capture.readChunks(image, source);
            long logStart = System.nanoTime();
            capture.logFiles = log == null ? Map.of() : ImageLog.copyInto(log, temp);
            capture.took(Step.LOG, System.nanoTime() - logStart);
            return capture;
        } catch (IOException | CudaException | RuntimeException e) {
            capture.abandon();
            throw e;
        }
    }

    /** The steps of a capture, in order, as {@link Capture#readBreakdown} names them. */
    private enum Step {
        SESSION_FILE("session file"), FILES_AND_ENCODER("chunk files and encoder"), PINNING("pinning"),
        DIGESTS("digests"), COPIES("copies"), LAST_STAGING_COPIES("last copies into the staging"),
        UNPINNING("unpinning"), LOG("log");

        final String label;

        Step(String label) {
            this.label = label;
        }
    }

    /**
     * An image whose device memory has been read: {@link #seal} completes it, {@link #abandon}
     * deletes it. Neither touches the device; call them from one thread at a time (a hand-over
     * from the device's thread through a future is enough).
     */
    public final class Capture {

        private final Path target;
        private final Path temp;
        private final ProgressMeter meter;
        private final CheckpointStats.Tally tally = new CheckpointStats.Tally();
        private final Map<String, CheckpointManifest.FileEntry> files = new LinkedHashMap<>();
        private Map<String, CheckpointManifest.FileEntry> logFiles = Map.of();
        private final HostStaging staging;
        private final ParallelChunkEncoder.Slots slots;
        /** Nanoseconds of each step of {@link #capture}, for {@link #readBreakdown}. */
        private final long[] times = new long[Step.values().length];
        /** The encoder's buffers and how many of them were pinned (the encoder is gone once sealed). */
        private int buffers;
        private int pinnedBuffers;
        private ChunkFileLanes lanes;
        private ParallelChunkEncoder encoder;

        private Capture(Path target, Path temp, ProgressListener listener, long bytes, CaptureMemory memory) {
            this.target = target;
            this.temp = temp;
            this.meter = new ProgressMeter(listener, ProgressListener.Phase.DUMP, bytes);
            this.staging = memory.staging;
            this.slots = memory.slots;
        }

        private void took(Step step, long nanos) {
            times[step.ordinal()] += nanos;
        }

        /** Reads every chunk of the image's allocations and hands it to the encoder; on the device's thread. */
        private void readChunks(SessionImage image, DeviceBackend source) throws IOException, CudaException {
            long start = System.nanoTime();
            lanes = new ChunkFileLanes(temp, codec.chunkSize(), fileLimit, FILE_LANES);
            ParallelChunkEncoder.Sink sink = (chunk, release) -> {
                lanes.accept(chunk, release);
                tally.add(chunk);
                meter.advance(chunk.rawLength());
            };
            encoder = ParallelChunkEncoder.onSharedPool(codec, slots, sink);
            long created = System.nanoTime();
            HostPinning pinning = HostPinning.register(source, encoder.buffers());
            long pinned = System.nanoTime();
            took(Step.FILES_AND_ENCODER, created - start);
            buffers = encoder.buffers().size();
            pinnedBuffers = pinning.count();
            took(Step.PINNING, pinned - created);
            try {
                int chunkSize = codec.chunkSize();
                boolean digestsFirst = source.digestsOnDevice();
                for (AddressRange allocation : image.allocations()) {
                    // where the device hashes by itself, zero chunks are written as markers without reading them
                    long t = System.nanoTime();
                    ChunkDigests digests = digestsFirst ? source.chunkDigests(allocation.base(), allocation.size(), chunkSize)
                            : null;
                    took(Step.DIGESTS, System.nanoTime() - t);
                    for (int i = 0, n = ChunkLayout.count(allocation, chunkSize); i < n; i++) {
                        long address = ChunkLayout.address(allocation, chunkSize, i);
                        int length = ChunkLayout.length(allocation, chunkSize, i);
                        if (digests != null && digests.isZero(i)) {
                            sink.accept(new EncodedChunk(address, length, ChunkEncoding.ZERO, digests.hashes()[i],
                                    MemorySegment.NULL), () -> { });
                            continue;
                        }
                        ParallelChunkEncoder.Slot slot = encoder.acquire();
                        try {
                            source.copyDtoH(slot.raw().asSlice(0, length), address, null);
                        } catch (CudaException | RuntimeException e) {
                            encoder.giveBack(slot);
                            throw e;
                        }
                        // the device hashed the chunk while it could not change: not hashed again
                        boolean known = digests != null;
                        long digest = known ? digests.hashes()[i] : 0;
                        if (staging.hasRoom(length)) {
                            // on to host memory by the pool; encoded after the pause, in seal()
                            staging.stage(slot.raw().asSlice(0, length), address, known, digest, ChunkWorkers.shared(),
                                    () -> encoder.giveBack(slot));
                        } else {
                            encoder.submit(slot, address, length, known, digest);
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while writing " + temp);
            } finally {
                // every copy from the device has ended (they are synchronous), and so, once waited
                // for, has every copy into the staging: only host memory is read from here on
                long copied = System.nanoTime();
                took(Step.COPIES, copied - pinned - times[Step.DIGESTS.ordinal()]);
                try {
                    staging.awaitCopies();
                } finally {
                    long staged = System.nanoTime();
                    pinning.release();
                    took(Step.LAST_STAGING_COPIES, staged - copied);
                    took(Step.UNPINNING, System.nanoTime() - staged);
                }
            }
        }

        /**
         * Where {@link #capture} went, in ms: the session file, the chunk files and the encoder,
         * pinning its buffers, the device's digests, the copies, the last copies into the staging,
         * unpinning, and copying the log; how many buffers were pinned, and how much of the
         * staging took chunks.
         */
        public String readBreakdown() {
            StringBuilder b = new StringBuilder();
            for (Step step : Step.values()) {
                b.append(step.ordinal() == 0 ? "" : ", ").append(step.label).append(' ')
                        .append(String.format(java.util.Locale.ROOT, "%.1f", times[step.ordinal()] / 1e6));
            }
            return b.append(" ms; ").append(pinnedBuffers).append(" of ").append(buffers)
                    .append(" buffers pinned; ").append(staging.stagedBytes() >> 20).append(" of ")
                    .append(staging.capacity() >> 20).append(" MiB staged in host memory").toString();
        }

        /** Hands the staged chunks to the encoder (after the pause: the session may run meanwhile). */
        private void encodeStaged() throws IOException, InterruptedException {
            for (HostStaging.Chunk chunk : staging.chunks()) {
                encoder.submit(encoder.acquire(), chunk.bytes(), chunk.address(), chunk.digestKnown(), chunk.digest());
            }
        }

        /**
         * Encodes and writes the last chunks, forces every file to disk, writes the manifest and
         * renames the image into place. On a failure the image is deleted.
         */
        public CheckpointStats seal() throws IOException {
            try {
                encodeStaged();
                encoder.flush();
                files.putAll(lanes.finish());
                CheckpointStats stats = tally.stats(meter.seconds());
                new CheckpointManifest(CheckpointFormat.MAJOR, CheckpointFormat.MINOR, codec.chunkSize(),
                        CheckpointFormat.SESSION_FILE, files, logFiles).write(temp);
                closeLanes();
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                return stats;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                abandon();
                throw new java.io.InterruptedIOException("interrupted while writing " + temp);
            } catch (IOException | RuntimeException e) {
                abandon();
                throw e;
            }
        }

        /** Drops what was written: the temporary directory goes, nothing is left on disk. Idempotent. */
        public void abandon() {
            closeLanes();
            deleteTree(temp);
        }

        private void closeLanes() {
            if (encoder != null) {
                encoder.discardPending();
                encoder = null;
            }
            if (lanes != null) {
                lanes.close();
                lanes = null;
            }
            staging.close(); // every write of a staged chunk has ended with the lanes
        }
    }

    static void deleteTree(Path root) {
        try {
            FileTrees.delete(root);
        } catch (IOException ignored) {
            // best effort: a leftover temporary directory is never taken for an image
        }
    }
}
