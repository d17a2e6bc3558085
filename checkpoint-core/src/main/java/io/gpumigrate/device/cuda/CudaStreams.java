package io.gpumigrate.device.cuda;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceEvent;
import io.gpumigrate.device.DeviceStream;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.Set;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The streams and events of a backend, each a real {@code CUstream} or {@code CUevent}. A null
 * {@link DeviceStream} is the legacy default stream (handle 0). Accepts only handles it
 * created and has not destroyed. Blocks only where CUDA blocks: the synchronize calls.
 *
 * <p>Not thread-safe: called on the session's thread with the context current.
 */
final class CudaStreams implements AutoCloseable {

    private final CudaDriver driver;
    private final MemorySegment out;
    private final Set<CudaStream> streams = new HashSet<>();
    private final Set<CudaEvent> events = new HashSet<>();

    CudaStreams(CudaDriver driver, Arena arena) {
        this.driver = driver;
        this.out = arena.allocate(JAVA_LONG);
    }

    /** The {@code CUstream} behind {@code stream}: 0 for null, {@code CUDA_ERROR_INVALID_HANDLE} for a foreign or destroyed one. */
    long handle(DeviceStream stream) throws CudaException {
        if (stream == null) {
            return 0;
        }
        if (stream instanceof CudaStream s && streams.contains(s)) {
            return s.handle;
        }
        throw new CudaException(CuResult.INVALID_HANDLE, "not a live stream of this backend: " + stream);
    }

    private CudaEvent event(DeviceEvent event) throws CudaException {
        if (event instanceof CudaEvent e && events.contains(e)) {
            return e;
        }
        throw new CudaException(CuResult.INVALID_HANDLE, "not a live event of this backend: " + event);
    }

    DeviceStream create(int flags, int priority) throws CudaException {
        driver.check(driver.streamCreateWithPriority(out, flags, priority),
                "cuStreamCreateWithPriority(flags=" + flags + ", priority=" + priority + ")");
        CudaStream stream = new CudaStream(out.get(JAVA_LONG, 0), flags, priority);
        streams.add(stream);
        return stream;
    }

    /** Destroys a stream; as on CUDA, work already queued on it still completes. */
    void destroy(DeviceStream stream) throws CudaException {
        if (stream == null) {
            throw new CudaException(CuResult.INVALID_HANDLE, "the default stream cannot be destroyed");
        }
        long handle = handle(stream);
        streams.remove(stream);
        driver.check(driver.streamDestroy(handle), "cuStreamDestroy");
    }

    void synchronize(DeviceStream stream) throws CudaException {
        driver.check(driver.streamSynchronize(handle(stream)), "cuStreamSynchronize");
    }

    boolean query(DeviceStream stream) throws CudaException {
        return ready(driver.streamQuery(handle(stream)), "cuStreamQuery");
    }

    void waitEvent(DeviceStream stream, DeviceEvent event) throws CudaException {
        driver.check(driver.streamWaitEvent(handle(stream), event(event).handle, 0), "cuStreamWaitEvent");
    }

    DeviceEvent createEvent(int flags) throws CudaException {
        driver.check(driver.eventCreate(out, flags), "cuEventCreate(flags=" + flags + ")");
        CudaEvent event = new CudaEvent(out.get(JAVA_LONG, 0), flags);
        events.add(event);
        return event;
    }

    void destroyEvent(DeviceEvent event) throws CudaException {
        CudaEvent e = event(event);
        events.remove(e);
        driver.check(driver.eventDestroy(e.handle), "cuEventDestroy");
    }

    void record(DeviceEvent event, DeviceStream stream) throws CudaException {
        driver.check(driver.eventRecord(event(event).handle, handle(stream)), "cuEventRecord");
    }

    void synchronize(DeviceEvent event) throws CudaException {
        driver.check(driver.eventSynchronize(event(event).handle), "cuEventSynchronize");
    }

    boolean query(DeviceEvent event) throws CudaException {
        return ready(driver.eventQuery(event(event).handle), "cuEventQuery");
    }

    float elapsedMillis(DeviceEvent start, DeviceEvent end) throws CudaException {
        driver.check(driver.eventElapsedTime(out, event(start).handle, event(end).handle), "cuEventElapsedTime");
        return out.get(JAVA_FLOAT, 0);
    }

    /** {@code CUDA_SUCCESS}: true; {@code CUDA_ERROR_NOT_READY}: false; anything else throws. */
    private boolean ready(int rc, String call) throws CudaException {
        if (rc == CuResult.NOT_READY) {
            return false;
        }
        driver.check(rc, call);
        return true;
    }

    /** Destroys every event and stream; failures are ignored (the context is going away). */
    @Override
    public void close() {
        for (CudaEvent event : events) {
            driver.eventDestroy(event.handle);
        }
        events.clear();
        for (CudaStream stream : streams) {
            driver.streamDestroy(stream.handle);
        }
        streams.clear();
    }
}
