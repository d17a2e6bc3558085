package io.gpumigrate.worker;

import io.gpumigrate.agent.HostPort;
import io.gpumigrate.agent.migration.ControlConnection;
import io.gpumigrate.checkpoint.transfer.MigrationReceiver;
import io.gpumigrate.checkpoint.transfer.TransferOptions;
import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.emulator.EmulatorBackend;
import io.gpumigrate.protocol.Op;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A migration that fails before its commit leaves the session running on its source, as if
 * nothing had happened: the test plays the agent on the source worker's control connection and
 * a target whose transfer is corrupted or cut.
 */
class MigrationAbortTest {

    private static final int SIZE = 3 << 20;

    private WorkerFixture source;
    private WireTestClient client;
    private EmulatorBackend targetDevice;
    private byte[] data;
    private long dptr;

    @BeforeEach
    void start() throws Exception {
        source = new WorkerFixture(91);
        client = source.attach();
        data = new byte[SIZE];
        new Random(5).nextBytes(data); // random: sent raw, so a flipped byte lands in a payload
        dptr = client.memAlloc(SIZE);
        client.copyHtoD(dptr, data);
        targetDevice = new EmulatorBackend(1L << 30);
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        source.close();
        targetDevice.close();
    }

    @Test
    void aChunkCorruptedInFlightAbortsAndTheSessionCarriesOnAtItsSource() throws Exception {
        assertAbortedAndStillServing(pipeline -> pipeline.addFirst("fault", new InboundFault(400_000, false)), "xxHash");
    }

    @Test
    void aConnectionCutMidTransferAbortsAndTheSessionCarriesOnAtItsSource() throws Exception {
        assertAbortedAndStillServing(pipeline -> pipeline.addFirst("fault", new InboundFault(400_000, true)), "");
    }

    @Test
    void aTargetWithoutTheMemoryRefusesBeforeTheSourcePauses() throws Exception {
        try (WorkerFixture target = new WorkerFixture(91, new EmulatorBackend(1L << 20));
             ControlConnection c = ControlConnection.open(new HostPort("127.0.0.1", target.server.port()), 30_000)) {
            CudaException e = assertThrows(CudaException.class, () -> c.call(Op.RESTORE,
                    w -> w.str(WorkerFixture.SECRET).str("").u64(SIZE)));
            assertEquals(CuResult.OUT_OF_MEMORY, e.result());
            assertTrue(e.getMessage().contains("needs " + SIZE), e.getMessage());
        }
        assertArrayEquals(data, client.copyDtoH(dptr, SIZE));
    }

    private void assertAbortedAndStillServing(Consumer<ChannelPipeline> fault, String reason) throws Exception {
        TransferOptions options = TransferOptions.defaults().withPipelineHook(fault);
        try (MigrationReceiver receiver = MigrationReceiver.listen(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), targetDevice, null, options);
             ControlConnection c = ControlConnection.open(new HostPort("127.0.0.1", source.server.port()), 60_000)) {
            CudaException e = assertThrows(CudaException.class, () -> c.call(Op.MIGRATE, w -> w.str(WorkerFixture.SECRET)
                    .str("127.0.0.1").u16(receiver.address().getPort()).u64(30_000)));
            assertTrue(e.getMessage().contains("the session continues on its source") && e.getMessage().contains(reason),
                    e.getMessage());
            ExecutionException failed = assertThrows(ExecutionException.class,
                    () -> receiver.result().get(30, TimeUnit.SECONDS));
            assertTrue(failed.getCause().getMessage() != null, failed.toString());
            assertEquals(java.util.List.of(), targetDevice.allocations(), "the target keeps nothing");
        }
        // the source resumed: its calls run, its memory is intact, new work is applied
        assertArrayEquals(data, client.copyDtoH(dptr, SIZE));
        long more = client.memAlloc(4096);
        client.copyHtoD(more, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, client.copyDtoH(more, 3));
    }

    /** Flips a byte of the incoming stream at {@code offset}, or closes the connection there. */
    private static final class InboundFault extends ChannelInboundHandlerAdapter {
        private final long offset;
        private final boolean cut;
        private long seen;

        InboundFault(long offset, boolean cut) {
            this.offset = offset;
            this.cut = cut;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            long start = seen;
            seen += in.readableBytes();
            if (start <= offset && offset < seen) {
                if (cut) {
                    in.release();
                    ctx.close();
                    return;
                }
                int at = in.readerIndex() + (int) (offset - start);
                in.setByte(at, in.getByte(at) ^ 0x10);
            }
            ctx.fireChannelRead(in);
        }
    }
}
