package io.gpumigrate.replay;

import io.gpumigrate.protocol.Op;
import io.gpumigrate.protocol.WireFormat;
import io.gpumigrate.replay.write.LogWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Call bodies laid out as docs/wire-protocol.md gives them, for tests and the benchmark. */
public final class Calls {

    private Calls() {
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A LAUNCH_KERNEL body with {@code paramBytes} of parameters: 48 + paramBytes bytes. */
    public static byte[] launch(long function, int grid, int block, long stream, byte[] params) {
        ByteBuffer b = le(48 + params.length);
        b.putLong(function).putInt(grid).putInt(1).putInt(1).putInt(block).putInt(1).putInt(1).putInt(0)
                .putLong(stream).putInt(params.length).put(params);
        return b.array();
    }

    /** A MEMCPY_HTOD body: dst, stream, payload. */
    public static byte[] htod(long dst, long stream, byte[] payload) {
        return le(16 + payload.length).putLong(dst).putLong(stream).put(payload).array();
    }

    public static byte[] memAlloc(long bytes) {
        return le(8).putLong(bytes).array();
    }

    public static byte[] moduleGetFunction(long module, String name) {
        byte[] s = name.getBytes(StandardCharsets.UTF_8);
        return le(12 + s.length).putLong(module).putInt(s.length).put(s).array();
    }

    public static byte[] memcpyDtoH(long src, long size, long stream) {
        return le(24).putLong(src).putLong(size).putLong(stream).array();
    }

    public static byte[] random(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    /** The flags a client sets for {@code op}. */
    public static int flagsFor(Op op) {
        return op.kind() == Op.Kind.ASYNC ? 0 : WireFormat.FLAG_REPLY_WANTED;
    }

    /** Appends a copy of {@code body} (the writer releases the buffer). */
    public static void append(LogWriter w, LoggedCall c) {
        ByteBuf buf = Unpooled.wrappedBuffer(c.body());
        if (c.status().isPresent()) {
            w.append(c.seq(), c.opCode(), c.flags(), buf, true, c.status().getAsInt());
        } else {
            w.append(c.seq(), c.opCode(), c.flags(), buf, false, 0);
        }
    }
}
