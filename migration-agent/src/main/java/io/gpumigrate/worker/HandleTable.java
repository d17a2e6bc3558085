package io.gpumigrate.worker;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps the opaque u64 handles a client holds to the backend objects they stand for
 * (contexts, modules, functions, streams, events).
 *
 * <p>A handle is never 0 (0 means the default stream on the wire), never reused within a
 * session, and carries its kind in its top byte, so that a handle of one kind passed where
 * another is expected, or a value the worker never gave out, is refused with
 * {@code CUDA_ERROR_INVALID_HANDLE}.
 *
 * <p>Not thread-safe: used from the session's executor thread only.
 */
public final class HandleTable {

    /** What a handle stands for; the tag is its top byte. */
    public enum Kind {
        CONTEXT(0x11), MODULE(0x22), FUNCTION(0x33), STREAM(0x44), EVENT(0x55);

        private final long tag;

        Kind(int tag) {
            this.tag = (long) tag << 56;
        }

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final long TAG_MASK = 0xFFL << 56;

    private final Map<Long, Object> objects = new HashMap<>();
    private long next = 1;
    private long assigned;

    /** Registers {@code object} and returns its new handle (the one {@link #assignNext} named, if any). */
    public long add(Kind kind, Object object) {
        long handle;
        if (assigned != 0) {
            handle = assigned;
            assigned = 0;
            if ((handle & TAG_MASK) != kind.tag || objects.containsKey(handle)) {
                throw new IllegalStateException("handle 0x" + Long.toHexString(handle) + " cannot name a new "
                        + kind.label() + ": wrong kind or already in use");
            }
        } else {
            handle = kind.tag | next++;
        }
        objects.put(handle, object);
        return handle;
    }

    /**
     * Makes the next {@link #add} return exactly {@code handle}, as a restored session must
     * hand its client the same values it had; later fresh handles stay above it, so none is reused.
     */
    public void assignNext(long handle) {
        assigned = handle;
        next = Math.max(next, (handle & ~TAG_MASK) + 1);
    }

    /** The counter a fresh handle would use next; kept across a migration so that no value is reused. */
    public long nextCounter() {
        return next;
    }

    /** Raises the fresh-handle counter to at least {@code counter}. */
    public void raiseCounter(long counter) {
        next = Math.max(next, counter);
    }

    /**
     * The object behind {@code handle}.
     *
     * @throws CudaException {@code CUDA_ERROR_INVALID_HANDLE} naming the value when the handle
     *                       is unknown or of another kind
     */
    public <T> T get(long handle, Kind kind, Class<T> type) throws CudaException {
        Object object = (handle & TAG_MASK) == kind.tag ? objects.get(handle) : null;
        if (!type.isInstance(object)) {
            throw new CudaException(CuResult.INVALID_HANDLE,
                    "unknown " + kind.label() + " handle 0x" + Long.toHexString(handle));
        }
        return type.cast(object);
    }

    /** Removes and returns the object behind {@code handle}; errors as {@link #get}. */
    public <T> T remove(long handle, Kind kind, Class<T> type) throws CudaException {
        T object = get(handle, kind, type);
        objects.remove(handle);
        return object;
    }

    /** Every handle of {@code kind} whose object matches, for cleanup. */
    public List<Long> handlesOf(Kind kind, java.util.function.Predicate<Object> filter) {
        List<Long> found = new ArrayList<>();
        for (Map.Entry<Long, Object> e : objects.entrySet()) {
            if ((e.getKey() & TAG_MASK) == kind.tag && filter.test(e.getValue())) {
                found.add(e.getKey());
            }
        }
        return found;
    }

    /** Forgets a handle without checking it (cleanup of dependants). */
    public void forget(long handle) {
        objects.remove(handle);
    }

    public int size() {
        return objects.size();
    }

    public void clear() {
        objects.clear();
    }
}
