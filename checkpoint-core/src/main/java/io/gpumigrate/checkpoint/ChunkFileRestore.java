package io.gpumigrate.checkpoint;

import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceBackend;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes the chunk files of a checkpoint image into device memory, up to {@value #LANES} files
 * at once: one reader thread per file (reading a file and hashing it went at a few GB/s on one
 * thread), each feeding its own {@link ParallelChunkDecoder}, whose chunks are decoded, checked
 * and copied to the device on the shared chunk pool ({@link DeviceBackend#copyHtoDConcurrently}).
 * Zero chunks are memsets, done on the calling thread once every file has been read, since a
 * memset is not one of the backend's concurrent calls.
 *
 * <p>Each chunk must belong to an allocation of the image and appear once; every chunk of every
 * allocation must appear. The first failure stops every reader and is thrown, naming its file.
 *
 * <p>Not thread-safe: one restore per instance, from the thread that may call the device.
 */
final class ChunkFileRestore {

    /** Chunk files read at once: as many as the writer writes at once. */
    static final int LANES = CheckpointWriter.FILE_LANES;

    private final Path dir;
    private final int chunkSize;
    private final ChunkCodec codec;
    private final DeviceBackend target;
    private final ProgressMeter meter;
    private final TreeMap<Long, AddressRange> byBase = new TreeMap<>();
    /** The chunks seen, by allocation base; guarded by itself. */
    private final Map<Long, BitSet> seen = new TreeMap<>();
    private final ConcurrentLinkedQueue<EncodedChunk> zeros = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean failed = new AtomicBoolean();

    ChunkFileRestore(Path dir, int chunkSize, List<AddressRange> allocations, DeviceBackend target,
                     ProgressMeter meter) {
        this.dir = dir;
        this.chunkSize = chunkSize;
        this.codec = new ChunkCodec(chunkSize, CompressionPolicy.NEVER);
        this.target = target;
        this.meter = meter;
        for (AddressRange a : allocations) {
            byBase.put(a.base(), a);
            seen.put(a.base(), new BitSet());
        }
    }

    /** Reads, checks and writes every file of {@code files}; then checks that no chunk is missing. */
    void run(List<CheckpointManifest.FileEntry> files) throws IOException, CudaException {
        int lanes = Math.max(1, Math.min(LANES, files.size()));
        int depth = Math.max(2, ChunkWorkers.inFlight() / lanes); // the lanes share the pool
        List<ParallelChunkDecoder> decoders = new ArrayList<>(lanes);
        List<MemorySegment> buffers = new ArrayList<>();
        for (int i = 0; i < lanes; i++) {
            ParallelChunkDecoder decoder = new ParallelChunkDecoder(codec, ChunkWorkers.shared(), depth,
                    (chunk, raw) -> applied(chunk), this::copyToDevice);
            decoders.add(decoder);
            buffers.addAll(decoder.buffers());
        }
        ConcurrentLinkedQueue<CheckpointManifest.FileEntry> queue = new ConcurrentLinkedQueue<>(files);
        HostPinning pinning = HostPinning.register(target, buffers);
        try {
            List<Future<Void>> lanesDone = new ArrayList<>(lanes);
            // closing waits for every reader (after a failure the others stop at their next record),
            // so no decoder is in use any more below
            try (ExecutorService readers = Executors.newFixedThreadPool(lanes,
                    Thread.ofPlatform().name("restore-read-", 0).daemon(true).factory())) {
                for (ParallelChunkDecoder decoder : decoders) {
                    lanesDone.add(readers.submit(() -> {
                        for (var entry = queue.poll(); entry != null && !failed.get(); entry = queue.poll()) {
                            readFile(entry, decoder);
                        }
                        return null;
                    }));
                }
            }
            throwFirstFailure(lanesDone);
            if (Thread.currentThread().isInterrupted()) { // a reader that never started is no failure
                throw new java.io.InterruptedIOException("interrupted while restoring chunk files");
            }
            for (EncodedChunk zero : zeros) {
                target.memset(zero.address(), 0, 1, zero.rawLength(), null);
            }
        } finally {
            for (ParallelChunkDecoder decoder : decoders) {
                decoder.discardPending();
            }
            pinning.release();
        }
        checkComplete();
    }

    private boolean copyToDevice(EncodedChunk chunk, MemorySegment raw) throws CudaException {
        if (chunk.encoding() == ChunkEncoding.ZERO) {
            return false;
        }
        target.copyHtoDConcurrently(chunk.address(), raw);
        return true;
    }

    /** On a reader thread, once a chunk is written (or, zero, left for a memset). */
    private void applied(EncodedChunk chunk) {
        if (chunk.encoding() == ChunkEncoding.ZERO) {
            zeros.add(chunk);
        }
        synchronized (meter) {
            meter.advance(chunk.rawLength());
        }
    }

    private void readFile(CheckpointManifest.FileEntry entry, ParallelChunkDecoder decoder) throws IOException, CudaException {
        try (ChunkFileReader reader = new ChunkFileReader(dir.resolve(entry.name()), chunkSize, codec.maxEncodedLength())) {
            for (var header = reader.next(); header != null; header = reader.next()) {
                if (failed.get()) {
                    return; // another file failed: its exception is the one thrown
                }
                String wrong = claim(header.address(), header.rawLength());
                if (wrong != null) {
                    throw reader.corrupt(wrong);
                }
                ParallelChunkDecoder.Slot slot = decoder.acquire();
                MemorySegment payload = slot.payload(header.payloadLength());
                try {
                    reader.readPayload(payload);
                } catch (IOException e) {
                    decoder.giveBack(slot);
                    throw e;
                }
                decoder.submit(slot, new EncodedChunk(header.address(), header.rawLength(), header.encoding(),
                        header.hash(), payload), "chunk file " + entry.name());
            }
            decoder.flush();
            reader.verify(entry);
        } catch (IOException | CudaException | RuntimeException e) {
            failed.set(true);
            throw e;
        }
    }

    /** Marks the chunk at {@code address} as seen; returns why it cannot be one of the image's, or null. */
    private String claim(long address, int rawLength) {
        Map.Entry<Long, AddressRange> owner = byBase.floorEntry(address);
        int index = owner == null ? -1 : ChunkLayout.indexOf(owner.getValue(), chunkSize, address);
        if (index < 0 || ChunkLayout.length(owner.getValue(), chunkSize, index) != rawLength) {
            return "record for 0x" + Long.toHexString(address) + " (" + rawLength
                    + " bytes) is not a chunk of any allocation of the session";
        }
        synchronized (seen) {
            BitSet bits = seen.get(owner.getKey());
            if (bits.get(index)) {
                return "chunk at 0x" + Long.toHexString(address) + " appears twice";
            }
            bits.set(index);
        }
        return null;
    }

    private void checkComplete() throws CheckpointFormatException {
        for (AddressRange a : byBase.values()) {
            int expected = ChunkLayout.count(a, chunkSize);
            int missing = seen.get(a.base()).nextClearBit(0);
            if (missing < expected) {
                throw new CheckpointFormatException(dir + ": no chunk file holds the chunk at 0x"
                        + Long.toHexString(ChunkLayout.address(a, chunkSize, missing)) + " of the allocation at 0x"
                        + Long.toHexString(a.base()) + "; the image is incomplete");
            }
        }
    }

    /** Throws the first failure of the lanes, all ended (by lane order), as it was thrown. */
    private static void throwFirstFailure(List<Future<Void>> lanes) throws IOException, CudaException {
        Throwable first = lanes.stream().filter(l -> l.state() == Future.State.FAILED).map(Future::exceptionNow)
                .findFirst().orElse(null);
        switch (first) {
            case null -> { }
            case IOException e -> throw e;
            case CudaException e -> throw e;
            case RuntimeException e -> throw e;
            case Error e -> throw e;
            default -> throw new IllegalStateException(first);
        }
    }
}
