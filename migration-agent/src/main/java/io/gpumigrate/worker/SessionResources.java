package io.gpumigrate.worker;

import io.gpumigrate.checkpoint.transfer.PreloadedModules;
import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceBackend;
import io.gpumigrate.device.DeviceModule;
import io.gpumigrate.device.DeviceStream;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a session holds on its device: the backend (as the client sees it, module globals
 * at their client-visible addresses: {@link GlobalRelocatingBackend}), the handle table and the
 * client's allocations (base address to size, for the memory-in-use figure).
 *
 * <p>Not thread-safe: session executor only.
 */
final class SessionResources {

    private final DeviceBackend device;
    private final GlobalAddressMap globals = new GlobalAddressMap();
    private final GlobalRelocatingBackend backend;
    private final HandleTable handles = new HandleTable();
    private final Map<Long, Long> allocations = new HashMap<>();
    private final SessionStats stats;
    private final List<Runnable> releaseHooks = new ArrayList<>();
    private boolean released;
    private PreloadedModules preloaded;

    SessionResources(DeviceBackend device, SessionStats stats) {
        this.device = device;
        this.backend = new GlobalRelocatingBackend(device, globals);
        this.stats = stats;
    }

    /** The device as the client sees it: module globals at their client-visible addresses. */
    DeviceBackend backend() throws CudaException {
        checkOpen();
        return backend;
    }

    /** The device itself, at actual addresses (allocations are the same in both views). */
    DeviceBackend device() throws CudaException {
        checkOpen();
        return device;
    }

    /** Where the session's module globals are seen and where they lie. */
    GlobalAddressMap globals() {
        return globals;
    }

    private void checkOpen() throws CudaException {
        if (released) {
            throw new CudaException(CuResult.DEINITIALIZED, "the session has ended and released its device");
        }
    }

    HandleTable handles() {
        return handles;
    }

    /**
     * Loads a module image, or takes a module a migration target preloaded from identical bytes
     * ({@link #offerPreloaded}).
     */
    DeviceModule loadModule(byte[] image) throws CudaException {
        DeviceModule module = preloaded == null ? null : preloaded.take(image);
        return module != null ? module : backend().loadModule(image);
    }

    /** Modules loaded before a migration's pause, for {@link #loadModule} while the session is re-created; null: none. */
    void offerPreloaded(PreloadedModules modules) {
        preloaded = modules;
    }

    SessionStats stats() {
        return stats;
    }

    /** The allocations the client holds, base to size (a copy). */
    Map<Long, Long> allocations() {
        return new HashMap<>(allocations);
    }

    /**
     * The stream a wire value names: {@code null} (the default stream) for 0 and for CUDA's
     * special handles {@code CU_STREAM_LEGACY} (1) and {@code CU_STREAM_PER_THREAD} (2),
     * which a session with one client thread per context treats as the default stream.
     */
    DeviceStream stream(long handle) throws CudaException {
        if (handle == 0 || handle == 1 || handle == 2) {
            return null;
        }
        return handles.get(handle, HandleTable.Kind.STREAM, DeviceStream.class);
    }

    void allocated(long dptr, long bytes) {
        allocations.put(dptr, bytes);
        stats.memory(bytes);
    }

    void freed(long dptr) {
        Long bytes = allocations.remove(dptr);
        if (bytes != null) {
            stats.memory(-bytes);
        }
    }

    /** Runs {@code hook} when the session releases its device, before the backend is closed. */
    void whenReleased(Runnable hook) {
        releaseHooks.add(hook);
    }

    /** Releases everything: runs the release hooks, closes the backend (its allocations, modules, streams, events). Idempotent. */
    void releaseAll() {
        if (released) {
            return;
        }
        for (Runnable hook : releaseHooks) {
            hook.run();
        }
        released = true;
        handles.clear();
        for (long bytes : allocations.values()) {
            stats.memory(-bytes);
        }
        allocations.clear();
        backend.close();
    }

    boolean released() {
        return released;
    }
}
