package io.gpumigrate.worker;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.DeviceBackend;
import io.gpumigrate.protocol.Frame;
import io.gpumigrate.protocol.Replies;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;

/**
 * A session driven from recorded frames instead of a connection, for replay: each call goes
 * through the same {@link Session#execute} a worker uses (same dispatch, handle allocation,
 * deferred and sticky errors), on the caller's thread, so the same calls in the same order
 * give the same handles and, on the emulator, the same device addresses.
 *
 * <p>Not thread-safe: one thread drives it, and {@link #close} releases the device on that thread.
 */
public final class OfflineSession implements AutoCloseable {

    /** What one call did: its own result, the status its reply carried, and the reply's results. */
    public record Outcome(int result, String message, int replyStatus, byte[] results) {

        /** Whether a reply was produced (the call wanted one). */
        public boolean replied() {
            return replyStatus != CallObserver.NO_REPLY;
        }
    }

    private final DeviceBackend backend;
    private final Session session;
    private final ByteBufAllocator alloc = new UnpooledByteBufAllocator(true);
    private int result;
    private String message;

    /** Takes ownership of {@code backend}: {@link #close} closes it. */
    public OfflineSession(DeviceBackend backend) {
        this.backend = backend;
        this.session = new Session(0, "offline", backend);
        session.observe(new CallObserver() {
            @Override
            public void after(Frame call, int own, String why, int replyStatus) {
                result = own;
                message = why;
            }
        });
    }

    public DeviceBackend backend() {
        return backend;
    }

    /** The session the calls run in (for its image, after the calls). */
    Session session() {
        return session;
    }

    /**
     * The device as the replayed client saw it: module globals at the addresses the client was
     * given ({@link GlobalRelocatingBackend}); for reading memory by the addresses a log holds.
     */
    public DeviceBackend clientView() {
        try {
            return session.clientView();
        } catch (io.gpumigrate.device.CudaException e) {
            throw new IllegalStateException("the offline session has released its device", e);
        }
    }

    /** Where the session's module globals are seen and where they lie. */
    public GlobalAddressMap globals() {
        return session.globals();
    }

    /**
     * Executes one call. Takes ownership of {@code call} (releases it). GOODBYE must not be
     * passed: the caller ends the replay with {@link #close}.
     */
    public Outcome execute(Frame call) {
        if (call.op() == io.gpumigrate.protocol.Op.GOODBYE) {
            call.release();
            throw new IllegalArgumentException("GOODBYE ends a replay; close the offline session instead");
        }
        result = CuResult.SUCCESS;
        message = null;
        Frame reply;
        try {
            reply = session.execute(call, alloc);
        } finally {
            call.release();
        }
        if (reply == null) {
            return new Outcome(result, message, CallObserver.NO_REPLY, new byte[0]);
        }
        try {
            ByteBuf body = reply.body();
            int status = Replies.readStatus(reply);
            return new Outcome(result, message, status, status == CuResult.SUCCESS ? ByteBufUtil.getBytes(body) : new byte[0]);
        } finally {
            reply.release();
        }
    }

    /** Releases the device (closes the backend) on the calling thread. */
    @Override
    public void close() {
        backend.close();
    }
}
