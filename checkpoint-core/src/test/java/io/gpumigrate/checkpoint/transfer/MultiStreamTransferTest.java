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
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A transfer striped over several TCP connections arrives exactly, in rounds, and any one connection can abort it. */
class MultiStreamTransferTest {

    private static final int CHUNK = 64 << 10;
    private static final AddressRange WINDOW = new AddressRange(DeviceAddressSpace.WINDOW_BASE, 1L << 40);

    private final EmulatorBackend source = new EmulatorBackend(1L << 30, 2);
    private final EmulatorBackend target = new EmulatorBackend(1L << 30, 2);

    @AfterEach
    void close() {
        source.close();
        target.close();
    }

    @Test
    void roundsOverThreeConnectionsLeaveTheTargetEqualToTheSource() throws Exception {
        long a = randomAllocation(source, 10L * CHUNK + 333, 1);
        long gone = randomAllocation(source, 3L * CHUNK, 2);
        Map<Integer, AtomicInteger> chunksPerConnection = new ConcurrentHashMap<>();
        TransferOptions options = TransferOptions.defaults().withChunkSize(CHUNK).withStreams(3)
                .withPipelineHook(countChunks(chunksPerConnection));
        try (MigrationReceiver receiver = listen(options);
             MigrationSender sender = MigrationSender.connect(receiver.address(), source, options)) {
            assertEquals(11 + 3, sender.sendRound(source.allocations(), ProgressListener.NONE).chunksSent());
            for (int round = 0; round < 3; round++) {     // the same chunks change again and again
                writeRandom(source, a + 4L * CHUNK + 10 * round, 100, 10 + round);
                writeRandom(source, a + 10L * CHUNK + round, 1, 20 + round);
                assertEquals(2, sender.sendRound(source.allocations(), ProgressListener.NONE).chunksSent());
            }
            source.memFree(gone);
            long added = randomAllocation(source, 5L * CHUNK, 3);
            writeRandom(source, a, 8, 30);
            RoundStats last = sender.finish(image(), ProgressListener.NONE);
            assertEquals(5 + 1, last.chunksSent(), "the new allocation and the first chunk of a");
            receiver.result().get(30, TimeUnit.SECONDS);
            assertEquals(List.of(new AddressRange(a, 10L * CHUNK + 333), new AddressRange(added, 5L * CHUNK)).stream()
                    .sorted(java.util.Comparator.comparingLong(AddressRange::base)).toList(), target.allocations());
        }
        assertEquals(3, chunksPerConnection.size(), "chunks went over every connection: " + chunksPerConnection);
        assertSameMemory(source, target);
    }

    @Test
    void oneConnectionCarriesAWholeTransfer() throws Exception {
        randomAllocation(source, 4L * CHUNK + 5, 4);
        TransferOptions options = TransferOptions.defaults().withChunkSize(CHUNK).withStreams(1);
        try (MigrationReceiver receiver = listen(options);
             MigrationSender sender = MigrationSender.connect(receiver.address(), source, options)) {
            sender.sendRound(source.allocations(), ProgressListener.NONE);
            writeRandom(source, source.allocations().getFirst().base() + CHUNK, 3, 5);
            assertEquals(1, sender.finish(image(), ProgressListener.NONE).chunksSent());
            receiver.result().get(30, TimeUnit.SECONDS);
        }
        assertSameMemory(source, target);
    }

    @Test
    void chunkCorruptedOnOneOfFourConnectionsAbortsTheWholeTransfer() throws Exception {
        randomAllocation(source, 16L * CHUNK, 6);
        AtomicInteger pipelines = new AtomicInteger();
        TransferOptions options = TransferOptions.defaults().withChunkSize(CHUNK).withStreams(4);
        TransferOptions corrupting = options.withPipelineHook(pipeline -> {
            if (pipelines.getAndIncrement() == 2) {         // only the third connection corrupts
                pipeline.addLast("fault", new ChannelOutboundHandlerAdapter() {
                    private boolean done;

                    @Override
                    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
                        if (msg instanceof TransferMessage.Chunk c && c.payload().isReadable() && !done) {
                            done = true;
                            ByteBuf copy = Unpooled.copiedBuffer(c.payload());
                            c.payload().release();
                            copy.setByte(17, copy.getByte(17) ^ 0x20);
                            msg = new TransferMessage.Chunk(c.address(), c.rawLength(), c.encoding(), c.hash(), copy);
                        }
                        super.write(ctx, msg, promise);
                    }
                });
            }
        });
        try (MigrationReceiver receiver = listen(options);
             MigrationSender sender = MigrationSender.connect(receiver.address(), source, corrupting)) {
            TransferAbortedException e = assertThrows(TransferAbortedException.class, () -> {
                sender.sendRound(source.allocations(), ProgressListener.NONE);
                sender.finish(image(), ProgressListener.NONE);
            });
            assertTrue(e.getMessage().contains("target aborted") && e.getMessage().contains("xxHash64"), e.getMessage());
            ExecutionException failed = assertThrows(ExecutionException.class, () -> receiver.result().get(30, TimeUnit.SECONDS));
            assertTrue(failed.getCause() instanceof TransferAbortedException, failed.toString());
            assertEquals(List.of(), target.allocations(), "an aborted transfer must leave nothing on the target");
        }
    }

    // ---- helpers

    private MigrationReceiver listen(TransferOptions o) throws Exception {
        return MigrationReceiver.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), target, null, o);
    }

    /** Counts the chunks written on each connection, numbered in the order their pipelines were built. */
    private static Consumer<ChannelPipeline> countChunks(Map<Integer, AtomicInteger> counts) {
        AtomicInteger pipelines = new AtomicInteger();
        return pipeline -> {
            int connection = pipelines.getAndIncrement();
            pipeline.addLast("count", new ChannelOutboundHandlerAdapter() {
                @Override
                public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
                    if (msg instanceof TransferMessage.Chunk) {
                        counts.computeIfAbsent(connection, k -> new AtomicInteger()).incrementAndGet();
                    }
                    super.write(ctx, msg, promise);
                }
            });
        };
    }

    private SessionImage image() {
        return new SessionImage(WINDOW, 9, List.of(new SessionImage.Context(1, 0, 0)), source.allocations(), List.of(),
                List.of(), List.of(), List.of(), List.of(), new TreeMap<>());
    }
}
