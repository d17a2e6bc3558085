package io.gpumigrate.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CallFrameCodecTest {

    private static ByteBuf header(long length, int op, int flags, long seq) {
        ByteBuf b = Unpooled.buffer();
        b.writeIntLE((int) length).writeShortLE(op).writeShortLE(flags).writeLongLE(seq);
        return b;
    }

    @Test
    void decodesAFrameDeliveredOneByteAtATime() {
        EmbeddedChannel ch = new EmbeddedChannel(new CallFrameDecoder());
        ByteBuf wire = header(12 + 8, Op.MEM_ALLOC.code(), WireFormat.FLAG_REPLY_WANTED, 42);
        wire.writeLongLE(4096);
        while (wire.isReadable()) {
            assertNull(ch.readInbound(), "no frame before its last byte arrived");
            ch.writeInbound(wire.readRetainedSlice(1));
        }
        wire.release();
        Frame frame = ch.readInbound();
        try {
            assertEquals(Op.MEM_ALLOC, frame.op());
            assertTrue(frame.replyWanted());
            assertEquals(42, frame.seq());
            assertEquals(8, frame.body().readableBytes());
            assertEquals(4096, frame.body().readLongLE());
        } finally {
            frame.release();
        }
        assertFalse(ch.finish());
    }

    @Test
    void decodesSeveralFramesFromOneBuffer() {
        EmbeddedChannel ch = new EmbeddedChannel(new CallFrameDecoder());
        ByteBuf wire = header(12, Op.CTX_SYNCHRONIZE.code(), 1, 1);
        wire.writeBytes(header(12 + 3, 0x7777, 0, 2).writeBytes(new byte[] {1, 2, 3}));
        ch.writeInbound(wire);
        Frame first = ch.readInbound();
        Frame second = ch.readInbound();
        assertEquals(Op.CTX_SYNCHRONIZE, first.op());
        assertEquals(0, first.body().readableBytes());
        assertNull(second.op(), "an unknown op code is passed on, for the handler to answer");
        assertEquals(0x7777, second.opCode());
        assertEquals(3, second.body().readableBytes());
        first.release();
        second.release();
        assertFalse(ch.finish());
    }

    @Test
    void refusesAnOversizedLengthBeforeItsBodyArrives() {
        EmbeddedChannel ch = new EmbeddedChannel(new CallFrameDecoder());
        long length = WireFormat.MAX_FRAME_LENGTH + 1L;
        MalformedFrameException e = assertThrows(MalformedFrameException.class,
                () -> ch.writeInbound(header(length, Op.MEMCPY_HTOD.code(), 0, 1)));
        assertTrue(e.getMessage().contains(Long.toString(length)), e.getMessage());
        assertTrue(e.getMessage().contains(Integer.toString(WireFormat.MAX_FRAME_LENGTH)), e.getMessage());
        ch.writeInbound(header(12, Op.GOODBYE.code(), 1, 2));
        assertNull(ch.readInbound(), "after a corrupt frame the decoder passes nothing on");
        assertFalse(ch.finish());
    }

    @Test
    void refusesALengthBelowTheHeaderSize() {
        EmbeddedChannel ch = new EmbeddedChannel(new CallFrameDecoder());
        ByteBuf wire = Unpooled.buffer().writeIntLE(11);
        MalformedFrameException e = assertThrows(MalformedFrameException.class, () -> ch.writeInbound(wire));
        assertTrue(e.getMessage().contains("frame length 11 outside the allowed range [12, "), e.getMessage());
        assertFalse(ch.finish());
    }

    @Test
    void refusesALengthAboveTwoGigabytesAsUnsigned() {
        EmbeddedChannel ch = new EmbeddedChannel(new CallFrameDecoder());
        MalformedFrameException e = assertThrows(MalformedFrameException.class,
                () -> ch.writeInbound(Unpooled.buffer().writeIntLE(0xFFFFFFF0)));
        assertTrue(e.getMessage().contains("4294967280"), e.getMessage());
        assertFalse(ch.finish());
    }

    @Test
    void refusesReservedFlagBits() {
        EmbeddedChannel ch = new EmbeddedChannel(new CallFrameDecoder());
        MalformedFrameException e = assertThrows(MalformedFrameException.class,
                () -> ch.writeInbound(header(12, Op.GOODBYE.code(), 0x8001, 3)));
        assertTrue(e.getMessage().contains("0x8001"), e.getMessage());
        assertTrue(e.getMessage().contains("0x8000"), e.getMessage());
        assertFalse(ch.finish());
    }

    @Test
    void encoderWritesTheHeaderAndPassesTheBodyWithoutCopying() {
        EmbeddedChannel ch = new EmbeddedChannel(new CallFrameEncoder());
        ByteBuf body = Unpooled.directBuffer(8).writeLongLE(7);
        ch.writeOutbound(Frame.of(Op.MEM_FREE, true, 9, body));
        ByteBuf header = ch.readOutbound();
        ByteBuf sentBody = ch.readOutbound();
        assertEquals(20, header.readIntLE());
        assertEquals(Op.MEM_FREE.code(), header.readUnsignedShortLE());
        assertEquals(1, header.readUnsignedShortLE());
        assertEquals(9, header.readLongLE());
        assertFalse(header.isReadable());
        assertTrue(sentBody == body || sentBody.unwrap() == body, "the body buffer itself goes out");
        assertEquals(7, sentBody.getLongLE(sentBody.readerIndex()));
        header.release();
        sentBody.release();
        assertEquals(0, body.refCnt(), "the encoder released the frame's reference");
        assertFalse(ch.finish());
    }

    @Test
    void encodedFramesDecodeToTheSameFields() {
        EmbeddedChannel out = new EmbeddedChannel(new CallFrameEncoder());
        EmbeddedChannel in = new EmbeddedChannel(new CallFrameDecoder());
        ByteBuf body = Unpooled.buffer();
        new BodyWriter(body).u64(5).str("saxpy").u32(0xFFFFFFFFL);
        out.writeOutbound(Frame.of(Op.MODULE_GET_FUNCTION, true, 77, body));
        for (Object part; (part = out.readOutbound()) != null; ) {
            in.writeInbound(part);
        }
        Frame frame = in.readInbound();
        try {
            assertEquals(Op.MODULE_GET_FUNCTION, frame.op());
            assertEquals(77, frame.seq());
            BodyReader r = new BodyReader(frame.body(), frame.op());
            assertEquals(5, r.u64());
            assertEquals("saxpy", r.str());
            assertEquals(0xFFFFFFFFL, r.u32());
            assertEquals(0, r.remaining());
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            frame.release();
        }
        assertFalse(out.finish());
        assertFalse(in.finish());
    }
}
