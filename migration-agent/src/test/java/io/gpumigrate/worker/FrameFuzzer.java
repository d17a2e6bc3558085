package io.gpumigrate.worker;

import io.gpumigrate.protocol.Op;
import io.gpumigrate.protocol.WireFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.util.Random;

/**
 * Makes hostile input for a worker: random bytes, frames with truncated or impossible lengths,
 * valid headers over garbage bodies, and valid calls with mutated fields. Deterministic for a
 * seed. Not thread-safe.
 */
final class FrameFuzzer {

    private static final Op[] CALL_OPS = java.util.Arrays.stream(Op.values())
            .filter(op -> op != Op.GOODBYE).toArray(Op[]::new);

    private final Random random;

    FrameFuzzer(long seed) {
        this.random = new Random(seed);
    }

    Random random() {
        return random;
    }

    /** One piece of hostile input for a connection that has not attached; may break the framing. */
    byte[] unattachedGarbage(long session, String secret) {
        return switch (random.nextInt(7)) {
            case 0 -> randomBytes(1 + random.nextInt(300));
            case 1 -> header(badLength(), random.nextInt(0x10000), random.nextInt(2), random.nextLong(), 0);
            case 2 -> truncated(validCall(1 + random.nextInt(1000)));
            case 3 -> frame(random.nextInt(0x10000), random.nextInt(2), random.nextLong(),
                    randomBytes(random.nextInt(200)));
            case 4 -> mutate(attach(session, secret));
            case 5 -> validCall(1 + random.nextInt(1000));
            default -> frame(random.nextInt(4) == 0 ? 0x7fff : Op.ATTACH.code(), 1 << (1 + random.nextInt(15)),
                    0, randomBytes(random.nextInt(40)));
        };
    }

    /** A call that keeps the framing intact (valid length and flags) but whose op and body are mangled. */
    byte[] attachedMutation(long seq, boolean replyWanted) {
        Op op = CALL_OPS[random.nextInt(CALL_OPS.length)];
        int code = random.nextInt(10) == 0 ? random.nextInt(0x10000) : op.code();
        if (code == Op.GOODBYE.code()) {
            code = Op.CTX_SYNCHRONIZE.code();
        }
        byte[] body = plausibleBody(op);
        switch (random.nextInt(4)) {
            case 0 -> body = java.util.Arrays.copyOf(body, random.nextInt(body.length + 1));
            case 1 -> flipBytes(body, 1 + random.nextInt(4));
            case 2 -> body = randomBytes(random.nextInt(64));
            default -> { }
        }
        return frame(code, replyWanted ? WireFormat.FLAG_REPLY_WANTED : 0, seq, body);
    }

    private byte[] plausibleBody(Op op) {
        ByteBuf b = Unpooled.buffer();
        switch (op) {
            case MEM_ALLOC -> b.writeLongLE(random.nextBoolean() ? random.nextInt(1 << 20) : random.nextLong());
            case MEMCPY_HTOD -> b.writeLongLE(address()).writeLongLE(handle()).writeBytes(randomBytes(random.nextInt(512)));
            case MEMCPY_DTOH -> b.writeLongLE(address()).writeLongLE(random.nextInt(4096)).writeLongLE(handle());
            case MEMCPY_DTOD -> b.writeLongLE(address()).writeLongLE(address()).writeLongLE(random.nextLong()).writeLongLE(handle());
            case MEMSET -> b.writeLongLE(address()).writeIntLE(random.nextInt()).writeIntLE(random.nextInt(6))
                    .writeLongLE(random.nextInt(1 << 16)).writeLongLE(handle());
            case MODULE_LOAD -> b.writeBytes(random.nextBoolean() ? randomBytes(random.nextInt(256))
                    : ".version 8.0\n.target sm_90\n.address_size 64\n.visible .entry k(.param .u64 p) { ret; }\n"
                            .substring(0, random.nextInt(80)).getBytes());
            case LAUNCH_KERNEL -> {
                b.writeLongLE(handle());
                for (int i = 0; i < 7; i++) {
                    b.writeIntLE(random.nextInt(3) == 0 ? random.nextInt() : random.nextInt(4));
                }
                b.writeLongLE(handle()).writeIntLE(random.nextInt(64)).writeBytes(randomBytes(random.nextInt(64)));
            }
            case MODULE_GET_FUNCTION, MODULE_GET_GLOBAL -> {
                b.writeLongLE(handle());
                byte[] name = randomBytes(random.nextInt(16));
                b.writeIntLE(random.nextInt(8) == 0 ? random.nextInt() : name.length).writeBytes(name);
            }
            case CTX_CREATE, STREAM_CREATE -> b.writeIntLE(random.nextInt()).writeIntLE(random.nextInt(3) - 1);
            default -> {
                for (int i = random.nextInt(4); i > 0; i--) {
                    b.writeLongLE(random.nextBoolean() ? handle() : random.nextLong());
                }
            }
        }
        return ByteBufUtil.getBytes(b);
    }

    /** Handles that look like the worker's (tagged top byte, small counter) or are random. */
    private long handle() {
        return switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> ((long) (0x11 * (1 + random.nextInt(5))) << 56) | random.nextInt(64);
            default -> random.nextLong();
        };
    }

    private long address() {
        return random.nextBoolean() ? 0x2000_0000_0000L + random.nextInt(1 << 24) : random.nextLong();
    }

    private long badLength() {
        return switch (random.nextInt(4)) {
            case 0 -> random.nextInt(WireFormat.HEADER_AFTER_LENGTH);
            case 1 -> WireFormat.MAX_FRAME_LENGTH + 1L + random.nextInt(1000);
            case 2 -> 0xFFFFFFFFL;
            default -> 0x80000000L + random.nextInt(1 << 30);
        };
    }

    private byte[] validCall(long seq) {
        Op op = CALL_OPS[random.nextInt(CALL_OPS.length)];
        return frame(op.code(), random.nextInt(2), seq, plausibleBody(op));
    }

    byte[] attach(long session, String secret) {
        ByteBuf b = Unpooled.buffer();
        io.gpumigrate.protocol.Handshake.writeAttach(b, session, secret);
        return frame(Op.ATTACH.code(), 1, 0, ByteBufUtil.getBytes(b));
    }

    private byte[] truncated(byte[] frame) {
        return java.util.Arrays.copyOf(frame, random.nextInt(frame.length));
    }

    private byte[] mutate(byte[] frame) {
        byte[] copy = frame.clone();
        flipBytes(copy, 1 + random.nextInt(3));
        return copy;
    }

    private void flipBytes(byte[] bytes, int count) {
        for (int i = 0; i < count && bytes.length > 0; i++) {
            bytes[random.nextInt(bytes.length)] ^= (byte) (1 + random.nextInt(255));
        }
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    static byte[] frame(int op, int flags, long seq, byte[] body) {
        ByteBuf b = Unpooled.buffer(16 + body.length);
        b.writeIntLE(12 + body.length).writeShortLE(op).writeShortLE(flags).writeLongLE(seq).writeBytes(body);
        return ByteBufUtil.getBytes(b);
    }

    private static byte[] header(long length, int op, int flags, long seq, int bodyBytes) {
        ByteBuf b = Unpooled.buffer(16 + bodyBytes);
        b.writeIntLE((int) length).writeShortLE(op).writeShortLE(flags).writeLongLE(seq).writeZero(bodyBytes);
        return ByteBufUtil.getBytes(b);
    }
}
