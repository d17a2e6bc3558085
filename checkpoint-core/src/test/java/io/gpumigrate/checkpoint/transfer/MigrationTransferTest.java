package io.gpumigrate.checkpoint.transfer;

import static io.gpumigrate.checkpoint.TestData.assertSameMemory;
import static io.gpumigrate.checkpoint.TestData.randomAllocation;
import static io.gpumigrate.checkpoint.TestData.writeRandom;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gpumigrate.checkpoint.ProgressListener;
import io.gpumigrate.checkpoint.SessionImage;
import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceBackend;
import io.gpumigrate.device.emulator.DeviceAddressSpace;
import io.gpumigrate.device.emulator.EmulatorBackend;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MigrationTransferTest {

    private static final int CHUNK = 256 << 10;
    private static final AddressRange WINDOW = new AddressRange(DeviceAddressSpace.WINDOW_BASE, 1L << 40);

    private final EmulatorBackend source = new EmulatorBackend(1L << 30);
    private final EmulatorBackend target = new EmulatorBackend(1L << 30);
    /** One connection, so that faults hit a known chunk; MultiStreamTransferTest covers several. */
    private final TransferOptions options = TransferOptions.defaults().withChunkSize(CHUNK).withStreams(1);

    @AfterEach
    void close() {
        source.close();
        target.close();
    }

    @Test
    void sessionArrivesWholeAtTheSameAddresses() throws Exception {
        fillSource();
        SessionImage image = image();
        try (MigrationReceiver receiver = listen(options, target);
             MigrationSender sender = MigrationSender.connect(receiver.address(), source, options)) {
            RoundStats first = sender.sendRound(source.allocations(), ProgressListener.NONE);
            assertEquals(first.chunksExamined(), first.chunksSent());
            assertTrue(first.zeroChunks() > 0 && first.zstdChunks() > 0, first.toString());
            sender.finish(image, ProgressListener.NONE);
            ReceivedImage received = receiver.result().get(30, TimeUnit.SECONDS);
            assertEquals(image, received.image());
        }
        assertSameMemory(source, target);
    }

    @Test
    void preCopyRoundsSendOnlyWhatChangedWhileTheSessionKeepsItsExecutor() throws Exception {
        ExecutorService session = Executors.newSingleThreadExecutor();
        try {
            long a = onSession(session, () -> randomAllocation(source, 8 * CHUNK, 1));
            long b = onSession(session, () -> randomAllocation(source, 3 * CHUNK + 100, 2));
            long gone = onSession(session, () -> randomAllocation(source, CHUNK, 3));
            try (MigrationReceiver receiver = listen(options, target);
                 MigrationSender sender = MigrationSender.connect(receiver.address(), source, session, options)) {
                assertEquals(8 + 4 + 1, sender.sendRound(onSession(session, source::allocations),
                        ProgressListener.NONE).chunksSent());

                long added = onSession(session, () -> {            // the client's calls between rounds
                    writeRandom(source, a + CHUNK + 10, 64, 4);            // dirties chunk 1 of a
                    writeRandom(source, a + 6 * CHUNK - 8, 16, 5);         // dirties chunks 5 and 6 of a
                    writeRandom(source, b + 3 * CHUNK + 99, 1, 6);         // dirties the short last chunk of b
                    source.memFree(gone);
                    return randomAllocation(source, 2 * CHUNK, 7);
                });
                RoundStats second = sender.sendRound(onSession(session, source::allocations), ProgressListener.NONE);
                assertEquals(4 + 2, second.chunksSent(), "4 changed chunks and 2 of the new allocation");
                assertEquals(8 + 4 + 2, second.chunksExamined());

                RoundStats last = sender.finish(onSession(session, this::image), ProgressListener.NONE);
                assertEquals(0, last.chunksSent(), "nothing changed since the last round");
                receiver.result().get(30, TimeUnit.SECONDS);
                assertEquals(List.of(new AddressRange(a, 8 * CHUNK), new AddressRange(b, 3 * CHUNK + 100),
                        new AddressRange(added, 2 * CHUNK)).stream()
                        .sorted(java.util.Comparator.comparingLong(AddressRange::base)).toList(), target.allocations());
            }
        } finally {
            session.shutdown();
        }
        assertSameMemory(source, target);
    }

    private interface SessionCall<T> {
        T call() throws Exception;
    }

    private static <T> T onSession(ExecutorService session, SessionCall<T> call) throws Exception {
        return session.submit(call::call).get(30, TimeUnit.SECONDS);
    }

    @Test
    void verifiedImageStaysUntilDiscardedAndASecondSourceIsRefused() throws Exception {
        fillSource();
        try (MigrationReceiver receiver = listen(options, target);
             MigrationSender sender = MigrationSender.connect(receiver.address(), source, options)) {
            sender.finish(image(), ProgressListener.NONE);
            receiver.result().get(30, TimeUnit.SECONDS);
            sender.close(); // the source goes away after commit: the target keeps the session
            assertEquals(source.allocations(), target.allocations());

            try (EmulatorBackend other = new EmulatorBackend(1L << 30);
                 MigrationSender second = MigrationSender.connect(receiver.address(), other, options)) {
                TransferAbortedException e = assertThrows(TransferAbortedException.class,
                        () -> second.finish(SessionImage.ofMemory(WINDOW, List.of()), ProgressListener.NONE));
                assertTrue(e.getMessage().contains("already receives"), e.getMessage());
            }
            receiver.discard().get(30, TimeUnit.SECONDS);
            assertEquals(List.of(), target.allocations());
        }
    }

    @Test
    void chunkCorruptedInFlightIsDetectedAndTheTransferAborts() throws Exception {
        fillSource();
        TransferOptions corrupting = options.withPipelineHook(afterChunks(2, (ctx, chunk, promise) -> {
            ByteBuf copy = Unpooled.copiedBuffer(chunk.payload());
            chunk.payload().release();
            copy.setByte(copy.readableBytes() / 2, copy.getByte(copy.readableBytes() / 2) ^ 0x04);
            ctx.write(new TransferMessage.Chunk(chunk.address(), chunk.rawLength(), chunk.encoding(), chunk.hash(), copy),
                    promise);
        }));
        try (MigrationReceiver receiver = listen(options, target);
             MigrationSender sender = MigrationSender.connect(receiver.address(), source, corrupting)) {
            TransferAbortedException e = assertThrows(TransferAbortedException.class, () -> {
                sender.sendRound(source.allocations(), ProgressListener.NONE);
                sender.finish(image(), ProgressListener.NONE);
            });
            assertTrue(e.getMessage().contains("target aborted") && e.getMessage().contains("xxHash64"), e.getMessage());
            assertTargetAbortedEmpty(receiver);
        }
    }

    @Test
    void connectionCutMidTransferAbortsBothSidesAndTheTargetKeepsNothing() throws Exception {
        fillSource();
        TransferOptions cutting = options.withPipelineHook(afterChunks(3, (ctx, chunk, promise) -> {
            chunk.payload().release();
            promise.setFailure(new java.io.IOException("cable pulled"));
            ctx.channel().close();
        }));
        try (MigrationReceiver receiver = listen(options, target);
             MigrationSender sender = MigrationSender.connect(receiver.address(), source, cutting)) {
            TransferAbortedException e = assertThrows(TransferAbortedException.class,
                    () -> sender.sendRound(source.allocations(), ProgressListener.NONE));
            assertTrue(e.getMessage().contains("closed") || e.getMessage().contains("cable pulled"), e.getMessage());
            assertTargetAbortedEmpty(receiver);
        }
    }

    @Test
    void targetGoingAwayBeforeFinishLeavesTheSourceInCharge() throws Exception {
        fillSource();
        try (MigrationReceiver receiver = listen(options, target);
             MigrationSender sender = MigrationSender.connect(receiver.address(), source, options)) {
            sender.sendRound(source.allocations(), ProgressListener.NONE);
            receiver.close(); // the target worker dies mid-migration
            assertThrows(TransferAbortedException.class, () -> sender.finish(image(), ProgressListener.NONE));
            assertTargetAbortedEmpty(receiver);
        }
    }

    @Test
    void targetWithoutEnoughMemoryRefusesAndTheSourceIsTold() throws Exception {
        randomAllocation(source, 40L << 20, 9);
        try (EmulatorBackend small = new EmulatorBackend(32L << 20);
             MigrationReceiver receiver = listen(options, small);
             MigrationSender sender = MigrationSender.connect(receiver.address(), source, options)) {
            TransferAbortedException e = assertThrows(TransferAbortedException.class, () -> {
                sender.sendRound(source.allocations(), ProgressListener.NONE);
                sender.finish(image(), ProgressListener.NONE);
            });
            assertTrue(e.getMessage().contains("CUDA_ERROR_OUT_OF_MEMORY"), e.getMessage());
            ExecutionException failed = assertThrows(ExecutionException.class, () -> receiver.result().get(30, TimeUnit.SECONDS));
            assertTrue(failed.getCause() instanceof TransferAbortedException);
        }
    }

    // ---- helpers

    private MigrationReceiver listen(TransferOptions o, DeviceBackend device) throws Exception {
        return MigrationReceiver.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), device, null, o);
    }

    private void assertTargetAbortedEmpty(MigrationReceiver receiver) {
        ExecutionException failed = assertThrows(ExecutionException.class, () -> receiver.result().get(30, TimeUnit.SECONDS));
        assertTrue(failed.getCause() instanceof TransferAbortedException, failed.toString());
        assertEquals(List.of(), target.allocations(), "an aborted transfer must leave nothing on the target");
    }

    private void fillSource() throws CudaException {
        randomAllocation(source, 5 * CHUNK + 1000, 11);
        long zeros = source.memAlloc(4 * CHUNK);
        source.memset(zeros + CHUNK, 0x11, 1, 1000, null);
        long pattern = source.memAlloc(2 * CHUNK);
        source.memset(pattern, 0x7, 4, 2 * CHUNK / 4, null);
    }

    private SessionImage image() {
        TreeMap<String, String> extensions = new TreeMap<>();
        extensions.put("worker.deferred-error", "0");
        return new SessionImage(WINDOW, 777, List.of(new SessionImage.Context(1, 0, 0)), source.allocations(),
                List.of(new SessionImage.Module(2, new byte[] {1, 2, 3})), List.of(), List.of(),
                List.of(new SessionImage.Stream(3, 1, 0)), List.of(new SessionImage.Event(4, 2)), extensions);
    }

    private interface ChunkFault {
        void apply(ChannelHandlerContext ctx, TransferMessage.Chunk chunk, ChannelPromise promise);
    }

    /** A pipeline hook whose handler lets {@code passed} chunks with a payload through, then applies {@code fault} to the next. */
    private static Consumer<ChannelPipeline> afterChunks(int passed, ChunkFault fault) {
        return pipeline -> pipeline.addLast("fault", new ChannelOutboundHandlerAdapter() {
            private int seen;

            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
                if (msg instanceof TransferMessage.Chunk c && c.payload().isReadable() && seen++ == passed) {
                    fault.apply(ctx, c, promise);
                } else {
                    super.write(ctx, msg, promise);
                }
            }
        });
    }
}
