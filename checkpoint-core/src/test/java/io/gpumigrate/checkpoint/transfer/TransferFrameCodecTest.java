package io.gpumigrate.checkpoint.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gpumigrate.checkpoint.ChunkEncoding;
import io.gpumigrate.device.AddressRange;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransferFrameCodecTest {

    /** Encodes on one channel, feeds the bytes to another, returns what it decoded. */
    private static TransferMessage roundTrip(TransferMessage msg) {
        EmbeddedChannel out = new EmbeddedChannel(new TransferFrameEncoder());
        assertTrue(out.writeOutbound(msg));
        ByteBuf wire = Unpooled.buffer();
        for (ByteBuf b = out.readOutbound(); b != null; b = out.readOutbound()) {
            wire.writeBytes(b);
            b.release();
        }
        assertFalse(out.finish());
        EmbeddedChannel in = inbound();
        // feed it in two pieces: the framer must wait for the whole frame
        int half = wire.readableBytes() / 2;
        assertFalse(in.writeInbound(wire.readRetainedSlice(half)));
        assertTrue(in.writeInbound(wire.readRetainedSlice(wire.readableBytes())));
        wire.release();
        TransferMessage decoded = in.readInbound();
        assertFalse(in.finish());
        return decoded;
    }

    private static EmbeddedChannel inbound() {
        EmbeddedChannel ch = new EmbeddedChannel();
        TransferPipeline.configure(ch.pipeline(), new io.netty.channel.ChannelInboundHandlerAdapter(), p -> { });
        return ch;
    }

    @Test
    void helloOfAVersion1SourceDecodesAsOneStream() {
        ByteBuf frame = Unpooled.buffer().writeIntLE(13).writeByte(TransferProtocol.HELLO).writeIntLE(TransferProtocol.MAGIC)
                .writeShortLE(1).writeShortLE(0).writeIntLE(1 << 20);
        EmbeddedChannel in = inbound();
        in.writeInbound(frame);
        TransferMessage.Hello hello = in.readInbound();
        assertEquals(new TransferMessage.Hello(1, 0, 1 << 20, 1, 0), hello);
    }

    @Test
    void everyMessageSurvivesTheWire() {
        assertEquals(new TransferMessage.Hello(1, 0, 2 << 20), roundTrip(new TransferMessage.Hello(1, 0, 2 << 20)));
        assertEquals(new TransferMessage.Hello(1, 1, 2 << 20, 4, 3), roundTrip(new TransferMessage.Hello(1, 1, 2 << 20, 4, 3)));
        TransferMessage.Allocations allocations = new TransferMessage.Allocations(3,
                List.of(new AddressRange(0x2000_0000_0000L, 4096), new AddressRange(0x2000_0010_0000L, 5)));
        assertEquals(allocations, roundTrip(allocations));
        assertEquals(new TransferMessage.Verified(7, 8), roundTrip(new TransferMessage.Verified(7, 8)));
        assertEquals(new TransferMessage.Abort("chunk at 0x1: bad"), roundTrip(new TransferMessage.Abort("chunk at 0x1: bad")));

        TransferMessage.Finish finish = (TransferMessage.Finish) roundTrip(
                new TransferMessage.Finish(new byte[] {1, 2, 3}, new long[][] {{-1L, 5L}, {}}));
        assertArrayEquals(new byte[] {1, 2, 3}, finish.sessionImage());
        assertArrayEquals(new long[] {-1L, 5L}, finish.chunkHashes()[0]);
        assertEquals(0, finish.chunkHashes()[1].length);

        TransferMessage.Modules modules = (TransferMessage.Modules) roundTrip(new TransferMessage.Modules(List.of(
                new io.gpumigrate.checkpoint.SessionImage.Module(11, new byte[] {4, 5}),
                new io.gpumigrate.checkpoint.SessionImage.Module(12, new byte[0], 0x2100_0020_0000L, new byte[0]))));
        assertEquals(2, modules.modules().size());
        assertEquals(11, modules.modules().get(0).handle());
        assertArrayEquals(new byte[] {4, 5}, modules.modules().get(0).image());
        assertEquals(0, modules.modules().get(0).globalsAt());
        assertEquals(0, modules.modules().get(1).image().length);
        assertEquals(0x2100_0020_0000L, modules.modules().get(1).globalsAt(), "where the target loads its globals");

        byte[] payload = {9, 8, 7, 6, 5};
        TransferMessage.Chunk chunk = (TransferMessage.Chunk) roundTrip(new TransferMessage.Chunk(0x2000_0000_0000L, 4096,
                ChunkEncoding.ZSTD, 0xABCDEF0123456789L, Unpooled.wrappedBuffer(payload)));
        assertEquals(0x2000_0000_0000L, chunk.address());
        assertEquals(4096, chunk.rawLength());
        assertEquals(ChunkEncoding.ZSTD, chunk.encoding());
        assertEquals(0xABCDEF0123456789L, chunk.hash());
        byte[] got = new byte[chunk.payload().readableBytes()];
        chunk.payload().readBytes(got);
        assertArrayEquals(payload, got);
        assertTrue(chunk.payload().release());
    }

    @Test
    void badMagicIsRefusedWithTheValue() {
        ByteBuf frame = Unpooled.buffer().writeIntLE(13).writeByte(TransferProtocol.HELLO).writeIntLE(0x12345678)
                .writeShortLE(1).writeShortLE(0).writeIntLE(4096);
        TransferFrameException e = assertThrows(TransferFrameException.class, () -> inbound().writeInbound(frame));
        assertTrue(e.getMessage().contains("0x12345678"), e.getMessage());
    }

    @Test
    void countBeyondTheFrameIsRefused() {
        ByteBuf frame = Unpooled.buffer().writeIntLE(9).writeByte(TransferProtocol.ALLOCATIONS).writeIntLE(1)
                .writeIntLE(1_000_000);
        TransferFrameException e = assertThrows(TransferFrameException.class, () -> inbound().writeInbound(frame));
        assertTrue(e.getMessage().contains("1000000"), e.toString());
    }

    @Test
    void unknownTypeAndOversizedFramesAreRefused() {
        TransferFrameException unknown = assertThrows(TransferFrameException.class,
                () -> inbound().writeInbound(Unpooled.buffer().writeIntLE(1).writeByte(42)));
        assertTrue(unknown.getMessage().contains("42"), unknown.getMessage());
        assertThrows(io.netty.handler.codec.TooLongFrameException.class,
                () -> inbound().writeInbound(Unpooled.buffer().writeIntLE(TransferProtocol.MAX_FRAME_LENGTH + 1).writeByte(1)));
    }
}
