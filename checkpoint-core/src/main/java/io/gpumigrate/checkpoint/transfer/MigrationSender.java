package io.gpumigrate.checkpoint.transfer;

import io.gpumigrate.checkpoint.ChunkCodec;
import io.gpumigrate.checkpoint.ChunkEncoding;
import io.gpumigrate.checkpoint.ChunkLayout;
import io.gpumigrate.checkpoint.EncodedChunk;
import io.gpumigrate.checkpoint.HostPinning;
import io.gpumigrate.checkpoint.ParallelChunkEncoder;
import io.gpumigrate.checkpoint.ChunkWorkers;
import io.gpumigrate.checkpoint.ProgressListener;
import io.gpumigrate.checkpoint.ProgressMeter;
import io.gpumigrate.checkpoint.SessionImage;
import io.gpumigrate.checkpoint.SessionImageCodec;
import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.ChunkDigests;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceBackend;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.lang.foreign.MemorySegment;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The source side of a migration: streams device memory, in rounds, and then the session
 * state to a {@link MigrationReceiver}, and waits for the target to confirm it holds a
 * complete, verified image.
 *
 * <pre>
 *   // on the agent's migration thread, not the session's executor
 *   try (MigrationSender s = MigrationSender.connect(target, backend, sessionExecutor, options)) {
 *       List&lt;RoundStats&gt; rounds = new ArrayList&lt;&gt;();
 *       while (PrecopyPolicy.DEFAULT.another(rounds)) {      // pre-copy, the session running
 *           rounds.add(s.sendRound(allocationsNow(), listener));
 *       }
 *       // pause the session, drain the device, take its SessionImage
 *       s.finish(image, listener);                            // final copy + state; returns once VERIFIED
 *   }                                                         // then commit: the target owns the session
 * </pre>
 *
 * Each round hashes every chunk on the source ({@link DeviceBackend#chunkHashes}) and sends only
 * the chunks never sent or whose hash changed since they were sent (an allocation never sent
 * before is sent whole, without hashing it on the device first). Any failure (a refusal
 * by the target, a corrupted chunk it detected, a cut connection) surfaces as a
 * {@link TransferAbortedException} from the call in progress or the next one; the source
 * then still owns the session.
 *
 * <p>Not thread-safe: one thread drives a sender. The source backend is called only on the
 * executor given to {@link #connect(InetSocketAddress, DeviceBackend, Executor, TransferOptions)}
 * (or inline, when none is given). The connections, and which one a chunk goes on, are
 * {@link SenderStreams}.
 */
public final class MigrationSender implements AutoCloseable {

    private static final int HASH_BATCH_CHUNKS = 64;
    private static final int DEVICE_HASH_BATCH_CHUNKS = 1024;

    private final SourceAccess source;
    private final TransferOptions options;
    private final SenderStreams streams;
    private final SenderHandler handler;
    private final ParallelChunkEncoder encoder;
    private final DirtyChunkTracker tracker;
    private final ChunkReadBatch reads;
    private boolean digestsOnDevice;
    private HostPinning pinning;
    private int round;
    private RoundCounters counters;
    private FinishTimes finishTimes;

    private MigrationSender(SourceAccess source, TransferOptions options, SenderStreams streams, SenderHandler handler) {
        this.source = source;
        this.options = options;
        this.streams = streams;
        this.handler = handler;
        ChunkCodec codec = new ChunkCodec(options.chunkSize(), options.compression());
        this.encoder = new ParallelChunkEncoder(codec, ChunkWorkers.shared(), options.inFlight(), this::sendChunk);
        this.tracker = new DirtyChunkTracker(options.chunkSize());
        this.reads = new ChunkReadBatch(source, encoder, options.inFlight());
    }

    /** Pins the encoder's buffers on the source device, once, before the first copy into them. */
    private void pinBuffers() throws CudaException, InterruptedIOException {
        if (pinning == null) {
            pinning = source.run(device -> HostPinning.register(device, encoder.buffers()));
        }
    }

    /**
     * Connects to a receiver and introduces itself. Blocking.
     *
     * @param source          the session's backend
     * @param sourceExecutor  where {@code source} may be called (the session's executor): each
     *                        device read or hash of a slice runs there as its own small task, so
     *                        the client's calls interleave with a pre-copy round. Then call this
     *                        sender from another thread, never from that executor. {@code null}:
     *                        the backend is called inline, on the thread that calls the sender.
     * @throws IOException when the connection cannot be made
     */
    public static MigrationSender connect(InetSocketAddress target, DeviceBackend source, Executor sourceExecutor,
                                          TransferOptions options) throws IOException {
        SenderHandler handler = new SenderHandler();
        return SenderStreams.open(target, options, handler,
                streams -> new MigrationSender(new SourceAccess(source, sourceExecutor), options, streams, handler));
    }

    /** {@link #connect(InetSocketAddress, DeviceBackend, Executor, TransferOptions)} calling the backend inline. */
    public static MigrationSender connect(InetSocketAddress target, DeviceBackend source, TransferOptions options)
            throws IOException {
        return connect(target, source, null, options);
    }

    /**
     * One pre-copy round over {@code allocations} (the source's live allocations now): sends
     * the allocation list, then every chunk that is new or changed since it was last sent.
     * Returns when every chunk of the round has been written to the connection.
     */
    public RoundStats sendRound(List<AddressRange> allocations, ProgressListener listener)
            throws IOException, CudaException {
        return round(allocations, ProgressListener.Phase.PRECOPY, listener).stats();
    }

    /**
     * Sends the session's module images (MODULES) for the target to load before the pause;
     * optional, once, before the first round. Returns once they are written.
     */
    public void sendModules(List<SessionImage.Module> modules) throws IOException {
        handler.check();
        var written = streams.primary().writeAndFlush(new TransferMessage.Modules(modules)).awaitUninterruptibly();
        if (!written.isSuccess()) {
            throw new TransferAbortedException("sending the module images failed: " + written.cause(), written.cause());
        }
    }

    /**
     * Readies a stop-and-copy before the pause: has the target place {@code allocations} (the
     * source's live allocations now), pins the sender's buffers and loads the device's hashing
     * kernels, so that the pause holds only the copy. The final round then places whatever
     * changed since. Optional; returns once the allocations are written to the connections.
     */
    public void prepare(List<AddressRange> allocations) throws IOException, CudaException {
        handler.check();
        round++;
        streams.sendAllocations(round, allocations);
        pinBuffers();
        digestsOnDevice = source.run(device -> {
            ChunkDigests.ready(device, allocations, options.chunkSize());
            return device.digestsOnDevice();
        });
        handler.check();
    }

    /**
     * The final round, with the session paused and its device drained: sends what changed, then
     * the session state and the hash of every chunk, and waits (at most the options' verify
     * timeout) for the target's VERIFIED. When this returns the target holds a complete,
     * verified image and ownership may move to it.
     */
    public RoundStats finish(SessionImage image, ProgressListener listener) throws IOException, CudaException {
        RoundResult last = round(image.allocations(), ProgressListener.Phase.FINAL_COPY, listener);
        long copied = System.nanoTime();
        TransferMessage.Finish finish = new TransferMessage.Finish(SessionImageCodec.encode(image), last.deviceHashes());
        if (finish.frameLength() > TransferProtocol.MAX_FRAME_LENGTH) {
            // module globals travel in the image: a target would refuse the frame and close the connection
            String reason = String.format("the session's state is %d bytes (module globals %d bytes of it), more than the"
                    + " %d one FINISH frame carries", finish.sessionImage().length, image.modules().stream()
                    .mapToLong(m -> m.globals().length).sum(), TransferProtocol.MAX_FRAME_LENGTH);
            abort(reason);
            throw new IOException(reason);
        }
        for (int k = streams.count() - 1; k >= 0; k--) {
            streams.stream(k).writeAndFlush(k == 0 ? finish : new TransferMessage.Finish(new byte[0], new long[0][]));
        }
        listener.progress(new ProgressListener.Progress(ProgressListener.Phase.VERIFY, 0, image.allocatedBytes(), 0));
        try {
            handler.verified().get(options.verifyTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort("the source was interrupted while waiting for the target to verify");
            throw new InterruptedIOException("interrupted while waiting for VERIFIED");
        } catch (TimeoutException e) {
            abort("the target did not verify the image within " + options.verifyTimeout());
            throw handler.failure();
        } catch (ExecutionException e) {
            throw handler.failure();
        }
        finishTimes = new FinishTimes(last.digestNanos(), last.copyNanos(), reads.readNanos(), reads.waitNanos(),
                System.nanoTime() - copied);
        listener.progress(new ProgressListener.Progress(ProgressListener.Phase.VERIFY, image.allocatedBytes(),
                image.allocatedBytes(), 0));
        return last.stats();
    }

    /**
     * Sends the replay log's new bytes on the primary stream ({@link LogShipper}); with
     * {@code last}, then LOG_END. Returns the file bytes sent. Call it between rounds, and with
     * {@code last} in the pause before {@link #finish}.
     */
    public long shipLog(LogShipper log, boolean last) throws IOException {
        handler.check();
        LogShipper.Sink primary = m -> {
            var f = streams.primary().writeAndFlush(m).awaitUninterruptibly();
            if (!f.isSuccess()) {
                throw new IOException("sending the replay log failed: " + f.cause(), f.cause());
            }
        };
        return last ? log.shipFinal(primary) : log.shipChanges(primary);
    }

    /** Gives up: tells the target (which then frees what it placed) and closes the connection. */
    public void abort(String reason) {
        handler.fail(new TransferAbortedException("aborted by the source: " + reason));
        streams.abort(reason);
    }

    @Override
    public void close() {
        encoder.discardPending();
        if (pinning != null) {
            try {
                source.run(device -> {
                    pinning.release();
                    return null;
                });
            } catch (CudaException | InterruptedIOException | RuntimeException e) {
                // the source backend unregisters what is left when it closes
            }
        }
        streams.close();
    }

    private record RoundResult(RoundStats stats, long[][] deviceHashes, long digestNanos, long copyNanos) { }

    /** Where the last {@link #finish} spent its time; null before one returned. */
    public FinishTimes finishTimes() {
        return finishTimes;
    }

    private RoundResult round(List<AddressRange> allocations, ProgressListener.Phase phase, ProgressListener listener)
            throws IOException, CudaException {
        handler.check();
        long start = System.nanoTime();
        round++;
        streams.sendAllocations(round, allocations);
        tracker.retain(allocations);
        streams.route(allocations);
        digestsOnDevice = source.run(DeviceBackend::digestsOnDevice);
        pinBuffers();
        int chunkSize = options.chunkSize();
        long[][] hashes = new long[allocations.size()][];
        ChunkDigests[] digests = new ChunkDigests[allocations.size()];
        BitSet[] dirty = new BitSet[allocations.size()];
        long examined = 0;
        long dirtyBytes = 0;
        for (int a = 0; a < hashes.length; a++) {
            AddressRange range = allocations.get(a);
            int count = ChunkLayout.count(range, chunkSize);
            if (tracker.neverSent(range)) {
                // hash first only where that reads nothing to the host: then zero chunks are never read
                digests[a] = digestsOnDevice ? source.digests(range, options.chunkSize(), hashBatch()) : null;
                dirty[a] = new BitSet(count);
                dirty[a].set(0, count);
            } else {
                digests[a] = source.digests(range, options.chunkSize(), hashBatch());
                hashes[a] = digests[a].hashes();
                dirty[a] = tracker.dirty(range, hashes[a]);
            }
            examined += count;
            for (int i = dirty[a].nextSetBit(0); i >= 0; i = dirty[a].nextSetBit(i + 1)) {
                dirtyBytes += ChunkLayout.length(range, chunkSize, i);
            }
        }
        long hashed = System.nanoTime();
        reads.resetTimes();
        counters = new RoundCounters(new ProgressMeter(listener, phase, dirtyBytes));
        boolean paused = phase == ProgressListener.Phase.FINAL_COPY;
        try {
            for (int a = 0; a < hashes.length; a++) {
                AddressRange range = allocations.get(a);
                for (int i = dirty[a].nextSetBit(0); i >= 0; i = dirty[a].nextSetBit(i + 1)) {
                    handler.check();
                    int length = ChunkLayout.length(range, chunkSize, i);
                    long address = ChunkLayout.address(range, chunkSize, i);
                    if (digests[a] != null && digests[a].isZero(i)) {
                        // the device says all zeros: a marker, without reading the chunk to the host
                        sendChunk(new EncodedChunk(address, length, ChunkEncoding.ZERO, digests[a].hashes()[i],
                                MemorySegment.NULL), () -> { });
                        continue;
                    }
                    if (paused) {
                        // the session is paused: the device's digest (if any) is that of the bytes read now
                        reads.addPaused(address, length, digests[a] != null, digests[a] != null ? digests[a].hashes()[i] : 0);
                    } else {
                        reads.add(address, length);
                    }
                }
            }
            reads.readPaused();
            reads.flush();
            encoder.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort("the source was interrupted");
            throw new InterruptedIOException("interrupted during round " + round);
        } catch (IOException | CudaException | RuntimeException e) {
            reads.clear();
            encoder.discardPending();
            if (handler.failed()) {
                throw handler.failure();
            }
            abort("the source failed: " + e.getMessage());
            throw e;
        }
        handler.check();
        for (int a = 0; a < hashes.length; a++) {
            if (hashes[a] == null) {
                // never sent before this round, so all of it went out now: what was sent is the
                // state at this round (the final state, when the session is paused)
                hashes[a] = tracker.sentHashes(allocations.get(a));
            }
        }
        RoundCounters c = counters;
        RoundStats stats = new RoundStats(round, examined, c.sent, c.zero, c.zstd, c.meter.done(), c.wire,
                (System.nanoTime() - start) / 1e9);
        return new RoundResult(stats, hashes, hashed - start, System.nanoTime() - hashed);
    }

    /** Chunks per hashing call: many where the device hashes them itself, else a few, so the client's calls interleave. */
    private int hashBatch() {
        return digestsOnDevice ? DEVICE_HASH_BATCH_CHUNKS : HASH_BATCH_CHUNKS;
    }

    /** The encoder's sink: writes one chunk; its slot is released when the write completes. */
    private void sendChunk(EncodedChunk chunk, Runnable release) throws IOException {
        handler.check();
        Channel channel = streams.streamOf(chunk.address());
        ByteBuf payload = chunk.payloadLength() == 0 ? Unpooled.EMPTY_BUFFER
                : Unpooled.wrappedBuffer(chunk.payload().asByteBuffer());
        channel.writeAndFlush(new TransferMessage.Chunk(chunk.address(), chunk.rawLength(), chunk.encoding(),
                chunk.hash(), payload)).addListener(f -> {
                    release.run();
                    if (!f.isSuccess()) {
                        handler.fail(new TransferAbortedException("sending the chunk at 0x"
                                + Long.toHexString(chunk.address()) + " failed: " + f.cause(), f.cause()));
                    }
                });
        tracker.sent(chunk.address(), chunk.hash());
        RoundCounters c = counters;
        c.sent++;
        c.wire += chunk.payloadLength();
        if (chunk.encoding() == ChunkEncoding.ZERO) {
            c.zero++;
        } else if (chunk.encoding() == ChunkEncoding.ZSTD) {
            c.zstd++;
        }
        c.meter.advance(chunk.rawLength());
    }
}
