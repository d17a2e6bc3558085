package io.gpumigrate.agent.migration;

import io.gpumigrate.protocol.BodyReader;
import io.gpumigrate.protocol.Op;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A session that keeps its device busy and checks itself, over a {@link ResendingTestClient}:
 * each iteration pipelines two launches that scale an array by 2 and by 1/2 (a launch lost or
 * applied twice leaves a factor of 2 behind) and a copy of the iteration number into one of 64
 * slots; every 8th iteration reads both back and checks them exactly.
 */
final class StressWorkload implements Runnable {

    private static final int N = 64 * 1024;
    private static final int SLOTS = 64;
    private static final int SLOT_BYTES = 1024;

    final AtomicInteger iterations = new AtomicInteger();
    final AtomicBoolean stop = new AtomicBoolean();
    volatile Throwable failure;
    private final ResendingTestClient client;
    private long data;
    private long slots;
    private long scale;

    StressWorkload(ResendingTestClient client) {
        this.client = client;
    }

    /** Creates the context, loads the module, allocates and fills the memory. */
    StressWorkload setUp() throws Exception {
        client.call(Op.CTX_CREATE, w -> w.u32(0).i32(0)).expectSuccess();
        byte[] ptx;
        try (InputStream in = getClass().getResourceAsStream("/io/gpumigrate/worker/worker_kernels.ptx")) {
            ptx = in.readAllBytes();
        }
        long module = client.call(Op.MODULE_LOAD, w -> w.bytes(ptx)).expectSuccess().reader().u64();
        scale = client.call(Op.MODULE_GET_FUNCTION, w -> w.u64(module).str("scale")).expectSuccess().reader().u64();
        client.call(Op.STREAM_CREATE, w -> w.u32(1).i32(0)).expectSuccess();
        client.call(Op.EVENT_CREATE, w -> w.u32(0)).expectSuccess();
        data = client.call(Op.MEM_ALLOC, w -> w.u64(4L * N)).expectSuccess().reader().u64();
        slots = client.call(Op.MEM_ALLOC, w -> w.u64((long) SLOTS * SLOT_BYTES)).expectSuccess().reader().u64();
        ByteBuffer initial = ByteBuffer.allocate(4 * N).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < N; i++) {
            initial.putFloat(i % 1000 + 0.5f);
        }
        client.async(Op.MEMCPY_HTOD, w -> w.u64(data).u64(0).bytes(initial.array()));
        client.async(Op.MEMSET, w -> w.u64(slots).u32(0xFFFFFFFFL).u32(4).u64(SLOTS * SLOT_BYTES / 4).u64(0));
        return this;
    }

    @Override
    public void run() {
        try {
            int[] latest = new int[SLOTS];
            java.util.Arrays.fill(latest, -1);
            for (int i = 0; !stop.get(); i++) {
                launch(2.0f);
                launch(0.5f);
                int slot = i % SLOTS;
                latest[slot] = i;
                ByteBuffer value = ByteBuffer.allocate(SLOT_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                for (int k = 0; k < SLOT_BYTES / 4; k++) {
                    value.putInt(i);
                }
                client.async(Op.MEMCPY_HTOD, w -> w.u64(slots + (long) slot * SLOT_BYTES).u64(0).bytes(value.array()));
                if (i % 8 == 7) {
                    check(latest);
                }
                iterations.incrementAndGet();
            }
            check(latest);
        } catch (Throwable e) {
            failure = e;
        }
    }

    private void launch(float factor) throws IOException {
        ByteBuffer p = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        p.putLong(data).putFloat(factor).putInt(N);
        client.async(Op.LAUNCH_KERNEL, w -> w.u64(scale).u32(N / 256).u32(1).u32(1).u32(256).u32(1).u32(1)
                .u32(0).u64(0).u32(16).bytes(p.array()));
    }

    private void check(int[] latest) throws Exception {
        ByteBuffer values = ByteBuffer.wrap(client.call(Op.MEMCPY_DTOH, w -> w.u64(data).u64(4L * N).u64(0))
                .expectSuccess().results()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < N; i++) {
            float v = values.getFloat();
            if (v != i % 1000 + 0.5f) {
                throw new AssertionError("data[" + i + "] is " + v + ", expected " + (i % 1000 + 0.5f)
                        + " after " + iterations.get() + " iterations: a launch was lost or applied twice");
            }
        }
        ByteBuffer s = ByteBuffer.wrap(client.call(Op.MEMCPY_DTOH, w -> w.u64(slots).u64((long) SLOTS * SLOT_BYTES)
                .u64(0)).expectSuccess().results()).order(ByteOrder.LITTLE_ENDIAN);
        for (int slot = 0; slot < SLOTS; slot++) {
            int v = s.getInt(slot * SLOT_BYTES);
            if (v != latest[slot]) {
                throw new AssertionError("slot " + slot + " holds " + v + ", expected " + latest[slot]);
            }
        }
    }

    /** Reads {@code reply} as a u64, for callers that need a handle. */
    static long u64(BodyReader r) throws Exception {
        return r.u64();
    }
}
