package io.gpumigrate.worker;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceEvent;
import io.gpumigrate.protocol.BodyReader;
import io.gpumigrate.protocol.BodyWriter;
import io.netty.buffer.ByteBuf;

import static io.gpumigrate.worker.HandleTable.Kind.EVENT;
import static io.gpumigrate.worker.HandleTable.Kind.STREAM;

/**
 * Streams and events. Queries that find work pending answer {@code CUDA_ERROR_NOT_READY}.
 *
 * <p>Not thread-safe: session executor only.
 */
final class StreamEventCalls {

    private final SessionResources session;

    StreamEventCalls(SessionResources session) {
        this.session = session;
    }

    void createStream(BodyReader in, ByteBuf out) throws CudaException {
        int flags = (int) in.u32();
        int priority = in.i32();
        var stream = session.backend().createStream(flags, priority);
        new BodyWriter(out).u64(session.handles().add(STREAM, stream));
    }

    void destroyStream(BodyReader in) throws CudaException {
        long handle = in.u64();
        session.backend().destroyStream(session.handles().get(handle, STREAM, io.gpumigrate.device.DeviceStream.class));
        session.handles().forget(handle);
    }

    void synchronizeStream(BodyReader in) throws CudaException {
        session.backend().synchronize(session.stream(in.u64()));
    }

    void queryStream(BodyReader in) throws CudaException {
        if (!session.backend().query(session.stream(in.u64()))) {
            throw new CudaException(CuResult.NOT_READY, "work is pending on the stream");
        }
    }

    void waitEvent(BodyReader in) throws CudaException {
        var stream = session.stream(in.u64());
        DeviceEvent event = event(in.u64());
        in.u32(); // flags: CUDA defines none but 0
        session.backend().waitEvent(stream, event);
    }

    void createEvent(BodyReader in, ByteBuf out) throws CudaException {
        DeviceEvent event = session.backend().createEvent((int) in.u32());
        new BodyWriter(out).u64(session.handles().add(EVENT, event));
    }

    void destroyEvent(BodyReader in) throws CudaException {
        long handle = in.u64();
        session.backend().destroyEvent(event(handle));
        session.handles().forget(handle);
    }

    void record(BodyReader in) throws CudaException {
        DeviceEvent event = event(in.u64());
        session.backend().record(event, session.stream(in.u64()));
    }

    void synchronizeEvent(BodyReader in) throws CudaException {
        session.backend().synchronize(event(in.u64()));
    }

    void queryEvent(BodyReader in) throws CudaException {
        if (!session.backend().query(event(in.u64()))) {
            throw new CudaException(CuResult.NOT_READY, "work before the event's record is pending");
        }
    }

    void elapsed(BodyReader in, ByteBuf out) throws CudaException {
        DeviceEvent start = event(in.u64());
        DeviceEvent end = event(in.u64());
        new BodyWriter(out).f32(session.backend().elapsedMillis(start, end));
    }

    private DeviceEvent event(long handle) throws CudaException {
        return session.handles().get(handle, EVENT, DeviceEvent.class);
    }
}
