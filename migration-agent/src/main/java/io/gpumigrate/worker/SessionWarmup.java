package io.gpumigrate.worker;

import io.gpumigrate.checkpoint.SessionImage;
import io.gpumigrate.checkpoint.SessionImageCodec;
import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.emulator.EmulatorBackend;
import io.gpumigrate.protocol.BodyWriter;
import io.gpumigrate.protocol.Frame;
import io.gpumigrate.protocol.Op;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * Runs a throwaway session through what a migration does to a session's state, on two small
 * emulated devices: calls that make a context, a module with a function and a global, a
 * stream, an event and an allocation; the export of that state as a {@link SessionImage}, its
 * encoding and decoding; and the re-creation of the session from it on the second device. A
 * fresh worker otherwise loads and first runs that code inside a migration's pause (the
 * source's export, the target's re-creation, which the commit waits for). The GPU-specific
 * part (the CUDA backend's own calls) is not warmed.
 *
 * <p>Thread-safe: each run uses sessions and devices of its own.
 */
public final class SessionWarmup {

    private static final String PTX = """
            .version 7.0
            .target sm_52
            .address_size 64
            .visible .global .align 4 .u32 warm_counter;
            .visible .entry warm_touch(.param .u64 warm_touch_p)
            {
                .reg .b64 %rd<3>;
                ld.param.u64 %rd1, [warm_touch_p];
                cvta.to.global.u64 %rd2, %rd1;
                st.global.u32 [%rd2], 1;
                ret;
            }
            """;

    private SessionWarmup() {
    }

    /**
     * One round: builds the state, moves it, and checks that the re-created session holds the
     * same objects under the same handles. Returns the state as the re-created session exports it.
     *
     * @throws IOException when a call fails or the re-created state differs
     */
    public static SessionImage run() throws IOException, InterruptedException {
        SessionImage image;
        try (OfflineSession source = new OfflineSession(new EmulatorBackend(16L << 20, 1))) {
            long seq = 1;
            call(source, seq++, Op.CTX_CREATE, w -> w.u32(0).i32(0));
            long module = handle(call(source, seq++, Op.MODULE_LOAD, w -> w.bytes(PTX.getBytes(StandardCharsets.US_ASCII))));
            call(source, seq++, Op.MODULE_GET_FUNCTION, w -> w.u64(module).str("warm_touch"));
            call(source, seq++, Op.MODULE_GET_GLOBAL, w -> w.u64(module).str("warm_counter"));
            call(source, seq++, Op.STREAM_CREATE, w -> w.u32(0).i32(0));
            call(source, seq++, Op.EVENT_CREATE, w -> w.u32(0));
            call(source, seq, Op.MEM_ALLOC, w -> w.u64(4096));
            image = SessionImageCodec.decode(SessionImageCodec.encode(source.session().exportImage().get()),
                    "the warm-up's session image");
            source.session().end("warm-up done");
            source.session().ended().join();
        } catch (ExecutionException e) {
            throw new IOException("exporting the warm-up session failed: " + e.getCause(), e.getCause());
        }
        EmulatorBackend device = new EmulatorBackend(16L << 20, 1);
        Session target = new Session(0, "warm-up", device);
        try {
            for (AddressRange a : image.allocations()) {
                device.memAllocAt(a.base(), a.size());
            }
            target.importImage(image).get();
            SessionImage again = target.exportImage().get();
            if (again.modules().size() != image.modules().size() || !again.functions().equals(image.functions())
                    || !again.streams().equals(image.streams()) || !again.events().equals(image.events())
                    || !again.allocations().equals(image.allocations())) {
                throw new IOException("the warm-up session came back different: " + again + ", not " + image);
            }
            return again;
        } catch (ExecutionException | io.gpumigrate.device.CudaException e) {
            throw new IOException("re-creating the warm-up session failed: " + e, e);
        } finally {
            target.end("warm-up done");
            target.ended().join();
            device.close();
        }
    }

    private static byte[] call(OfflineSession session, long seq, Op op, Consumer<BodyWriter> body) throws IOException {
        ByteBuf buf = Unpooled.buffer();
        body.accept(new BodyWriter(buf));
        OfflineSession.Outcome o = session.execute(Frame.of(op, true, seq, buf));
        if (o.replyStatus() != CuResult.SUCCESS) {
            throw new IOException("the warm-up's " + op + " failed: " + CuResult.name(o.replyStatus()) + " " + o.message());
        }
        return o.results();
    }

    private static long handle(byte[] results) {
        return ByteBuffer.wrap(results).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }
}
