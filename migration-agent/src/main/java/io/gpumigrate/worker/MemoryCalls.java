package io.gpumigrate.worker;

import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.MemInfo;
import io.gpumigrate.protocol.BodyReader;
import io.gpumigrate.protocol.BodyWriter;
import io.gpumigrate.protocol.WireFormat;
import io.netty.buffer.ByteBuf;

import java.lang.foreign.MemorySegment;

/**
 * The memory operations: allocation, copies and memsets. Host-to-device data goes from the
 * frame's buffer to the backend and device-to-host data from the backend into the reply's
 * buffer, through {@link MemorySegment}s over those buffers, without a copy in between.
 *
 * <p>Not thread-safe: session executor only.
 */
final class MemoryCalls {

    /** {@code CU_DEVICE_ATTRIBUTE_TEXTURE_PITCH_ALIGNMENT}. */
    private static final int PITCH_ALIGNMENT_ATTRIBUTE = 51;
    private static final int DEFAULT_PITCH_ALIGNMENT = 512;

    private final SessionResources session;

    MemoryCalls(SessionResources session) {
        this.session = session;
    }

    void alloc(BodyReader in, ByteBuf out) throws CudaException {
        long bytes = in.u64();
        if (bytes <= 0) {
            throw new CudaException(CuResult.INVALID_VALUE, "MEM_ALLOC of "
                    + Long.toUnsignedString(bytes) + " bytes; the size must be in [1, 2^63)");
        }
        long dptr = session.backend().memAlloc(bytes);
        session.allocated(dptr, bytes);
        new BodyWriter(out).u64(dptr);
    }

    void free(BodyReader in) throws CudaException {
        long dptr = in.u64();
        session.backend().memFree(dptr);
        session.freed(dptr);
    }

    void info(ByteBuf out) throws CudaException {
        MemInfo info = session.backend().memInfo();
        new BodyWriter(out).u64(info.free()).u64(info.total());
    }

    void allocPitch(BodyReader in, ByteBuf out) throws CudaException {
        long width = in.u64();
        long height = in.u64();
        long elementSize = in.u32();
        if (elementSize != 4 && elementSize != 8 && elementSize != 16) {
            throw new CudaException(CuResult.INVALID_VALUE,
                    "MEM_ALLOC_PITCH element size " + elementSize + " is not 4, 8 or 16");
        }
        int reported = session.backend().properties().attribute(PITCH_ALIGNMENT_ATTRIBUTE);
        long alignment = reported > 0 ? reported : DEFAULT_PITCH_ALIGNMENT;
        if (width <= 0 || height <= 0 || width > (1L << 40) || height > (1L << 40)) {
            throw new CudaException(CuResult.INVALID_VALUE, "MEM_ALLOC_PITCH of " + Long.toUnsignedString(width)
                    + " x " + Long.toUnsignedString(height) + " bytes; each must be in [1, 2^40]");
        }
        long pitch = (width + alignment - 1) / alignment * alignment;
        long bytes;
        try {
            bytes = Math.multiplyExact(pitch, height);
        } catch (ArithmeticException e) {
            throw new CudaException(CuResult.OUT_OF_MEMORY, "MEM_ALLOC_PITCH of " + pitch + " x " + height + " bytes");
        }
        long dptr = session.backend().memAlloc(bytes);
        session.allocated(dptr, bytes);
        new BodyWriter(out).u64(dptr).u64(pitch);
    }

    void addressRange(BodyReader in, ByteBuf out) throws CudaException {
        AddressRange range = session.backend().addressRange(in.u64());
        new BodyWriter(out).u64(range.base()).u64(range.size());
    }

    void copyHtoD(BodyReader in) throws CudaException {
        long dst = in.u64();
        var stream = session.stream(in.u64());
        ByteBuf data = in.rest();
        if (data.isReadable()) {
            session.backend().copyHtoD(dst, MemorySegment.ofBuffer(data.nioBuffer()), stream);
        }
    }

    void copyDtoH(BodyReader in, ByteBuf out) throws CudaException {
        long src = in.u64();
        long size = in.u64();
        var stream = session.stream(in.u64());
        if (size < 0 || size > WireFormat.MAX_COPY_CHUNK) {
            throw new CudaException(CuResult.INVALID_VALUE, "MEMCPY_DTOH of " + Long.toUnsignedString(size)
                    + " bytes; one call copies at most " + WireFormat.MAX_COPY_CHUNK);
        }
        int start = out.writerIndex();
        out.ensureWritable((int) size);
        if (size > 0) {
            MemorySegment dst = MemorySegment.ofBuffer(out.nioBuffer(start, (int) size));
            session.backend().copyDtoH(dst, src, stream);
        }
        out.writerIndex(start + (int) size);
    }

    void copyDtoD(BodyReader in) throws CudaException {
        long dst = in.u64();
        long src = in.u64();
        long size = in.u64();
        var stream = session.stream(in.u64());
        if (size < 0) {
            throw new CudaException(CuResult.INVALID_VALUE, "MEMCPY_DTOD of " + Long.toUnsignedString(size) + " bytes");
        }
        if (size > 0) {
            session.backend().copyDtoD(dst, src, size, stream);
        }
    }

    void memset(BodyReader in) throws CudaException {
        long dst = in.u64();
        int value = (int) in.u32();
        long elementSize = in.u32();
        long count = in.u64();
        var stream = session.stream(in.u64());
        if (elementSize != 1 && elementSize != 2 && elementSize != 4) {
            throw new CudaException(CuResult.INVALID_VALUE, "MEMSET element size " + elementSize + " is not 1, 2 or 4");
        }
        if (count < 0) {
            throw new CudaException(CuResult.INVALID_VALUE, "MEMSET of " + Long.toUnsignedString(count) + " elements");
        }
        if (count > 0) {
            session.backend().memset(dst, value, (int) elementSize, count, stream);
        }
    }
}
