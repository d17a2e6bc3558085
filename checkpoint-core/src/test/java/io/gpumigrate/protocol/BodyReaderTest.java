package io.gpumigrate.protocol;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BodyReaderTest {

    @Test
    void aShortBodyIsAnInvalidValueNamingTheOperation() {
        ByteBuf body = Unpooled.buffer().writeIntLE(1);
        BodyReader r = new BodyReader(body, Op.MEM_ALLOC);
        CudaException e = assertThrows(CudaException.class, r::u64);
        assertEquals(CuResult.INVALID_VALUE, e.result());
        assertTrue(e.getMessage().contains("MEM_ALLOC"), e.getMessage());
        assertTrue(e.getMessage().contains("4 of 8 bytes"), e.getMessage());
        body.release();
    }

    @Test
    void aStringLongerThanTheBodyIsAnInvalidValue() throws CudaException {
        ByteBuf body = Unpooled.buffer().writeIntLE(1000).writeBytes(new byte[] {'a', 'b'});
        BodyReader r = new BodyReader(body, Op.MODULE_GET_FUNCTION);
        CudaException e = assertThrows(CudaException.class, r::str);
        assertEquals(CuResult.INVALID_VALUE, e.result());
        assertTrue(e.getMessage().contains("1000"), e.getMessage());
        body.release();
    }

    @Test
    void aStringOfMaximalDeclaredLengthDoesNotOverflow() {
        ByteBuf body = Unpooled.buffer().writeIntLE(0xFFFFFFFF);
        CudaException e = assertThrows(CudaException.class, () -> new BodyReader(body, "x").str());
        assertTrue(e.getMessage().contains("4294967295"), e.getMessage());
        body.release();
    }

    @Test
    void invalidUtf8IsAnInvalidValue() {
        ByteBuf body = Unpooled.buffer().writeIntLE(2).writeByte(0xC3).writeByte(0x28);
        CudaException e = assertThrows(CudaException.class, () -> new BodyReader(body, "x").str());
        assertEquals(CuResult.INVALID_VALUE, e.result());
        body.release();
    }

    @Test
    void bytesBeyondTheBodyAreAnInvalidValue() throws CudaException {
        ByteBuf body = Unpooled.buffer().writeLongLE(-1).writeBytes(new byte[10]);
        BodyReader r = new BodyReader(body, Op.MEMCPY_HTOD);
        assertEquals(-1, r.u64());
        assertThrows(CudaException.class, () -> r.bytes(11));
        assertThrows(CudaException.class, () -> r.bytes(-1));
        assertEquals(10, r.bytes(10).readableBytes());
        body.release();
    }

    @Test
    void readsEveryEncodingWrittenByTheWriter() throws CudaException {
        ByteBuf body = Unpooled.buffer();
        new BodyWriter(body).u8(0xAB).u16(0xBEEF).u32(0x89ABCDEFL).i32(-5).u64(-2).f32(1.5f).str("Ünïcode");
        BodyReader r = new BodyReader(body, "all");
        assertEquals(0xAB, r.u8());
        assertEquals(0xBEEF, r.u16());
        assertEquals(0x89ABCDEFL, r.u32());
        assertEquals(-5, r.i32());
        assertEquals(-2, r.u64());
        assertEquals(1.5f, r.f32());
        assertEquals("Ünïcode", r.str());
        assertEquals(0, r.remaining());
        body.release();
    }
}
