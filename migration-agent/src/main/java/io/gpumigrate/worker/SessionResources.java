package io.gpumigrate.worker;

import io.gpumigrate.checkpoint.transfer.PreloadedModules;
import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceBackend;
import io.gpumigrate.device.DeviceModule;
import io.gpumigrate.device.DeviceStream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private static final Logger log = LoggerFactory.getLogger(SessionResources.class);

    private final DeviceBackend device;
    private final GlobalAddressMap globals = new GlobalAddressMap();
    private final GlobalRelocatingBackend backend;
    private final HandleTable handles = new HandleTable();
    private final Map<Long, Long> allocations = new HashMap<>();
    private final SessionStats stats;
    private final List<Runnable> releaseHooks = new ArrayList<>();
    private boolean released;
    private PreloadedModules preloaded;
    private long globalsAt;

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
     * ({@link #offerPreloaded}). Its globals go where {@link #expectGlobalsAt} said (a restore),
     * else where the device chooses.
     */
    DeviceModule loadModule(byte[] image) throws CudaException {
        long at = globalsAt;
        globalsAt = 0;
        DeviceModule module = preloaded == null ? null : preloaded.take(image, at);
        if (module != null) {
            return module;
        }
        if (at == 0) {
            return backend().loadModule(image);
        }
        try {
            return backend().loadModule(image, at);
        } catch (CudaException e) {
            if (e.result() != CuResult.NOT_SUPPORTED) {
                throw e;
            }
            log.warn("this device cannot place the module's globals at 0x{} where they were ({}); they lie where it"
                    + " puts them, and only addresses passing through the API are translated", Long.toHexString(at),
                    e.getMessage());
            return backend().loadModule(image);
        }
    }

    /**
     * Where the next module loaded must have its globals (a restore knows it from the image);
     * 0: wherever the device puts them. Cleared by the next {@link #loadModule}.
     */
    void expectGlobalsAt(long address) {
        globalsAt = address;
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
