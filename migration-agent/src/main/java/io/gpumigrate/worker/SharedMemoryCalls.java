package io.gpumigrate.worker;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.protocol.BodyReader;
import io.gpumigrate.worker.shm.SharedMemoryWindow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The copies of a client on the worker's own host, through the client's shared mapping
 * (docs/wire-protocol.md, "Shared memory"): {@code SHM_ATTACH} maps it and, on a GPU,
 * registers it with the driver, so the DMA runs straight from and into it;
 * {@code MEMCPY_HTOD_SHM} copies a part of it to the device and replies once that part has
 * been read; {@code MEMCPY_DTOH_SHM} fills a part of it and replies once the data is there.
 * The window is unmapped when the session releases its device.
 *
 * <p>Not thread-safe: session executor only.
 */
final class SharedMemoryCalls {

    private static final Logger log = LoggerFactory.getLogger(SharedMemoryCalls.class);

    private final SessionResources session;
    private SharedMemoryWindow window;
    private boolean registered;

    SharedMemoryCalls(SessionResources session) {
        this.session = session;
        session.whenReleased(this::release);
    }

    void attach(BodyReader in) throws CudaException {
        long bytes = in.u64();
        String path = in.str();
        if (window != null) {
            throw new CudaException(CuResult.ILLEGAL_STATE, "the session already maps " + window.path()
                    + "; SHM_ATTACH is allowed once per session");
        }
        var backend = session.backend();
        SharedMemoryWindow mapped = SharedMemoryWindow.map(path, bytes);
        try {
            backend.registerHost(mapped.mapping());
            registered = true;
        } catch (CudaException e) {
            log.warn("shared-memory window {} could not be registered with the device ({}); copies through it are staged",
                    path, e.getMessage());
        }
        window = mapped;
        log.info("shared-memory window {} mapped, {} MiB{}", path, bytes >> 20, registered ? ", registered" : "");
    }

    void copyHtoD(BodyReader in) throws CudaException {
        long dst = in.u64();
        var stream = session.stream(in.u64());
        long offset = in.u64();
        long bytes = in.u64();
        var src = attached("MEMCPY_HTOD_SHM").slice("MEMCPY_HTOD_SHM", offset, bytes);
        if (bytes > 0) {
            session.backend().copyHtoD(dst, src, stream);
        }
    }

    void copyDtoH(BodyReader in) throws CudaException {
        long src = in.u64();
        var stream = session.stream(in.u64());
        long offset = in.u64();
        long bytes = in.u64();
        var dst = attached("MEMCPY_DTOH_SHM").slice("MEMCPY_DTOH_SHM", offset, bytes);
        if (bytes > 0) {
            session.backend().copyDtoH(dst, src, stream);
        }
    }

    private SharedMemoryWindow attached(String op) throws CudaException {
        if (window == null) {
            throw new CudaException(CuResult.ILLEGAL_STATE, op + " before SHM_ATTACH: the session maps no shared memory");
        }
        return window;
    }

    /** Unregisters (while the device is still open) and unmaps the window. */
    private void release() {
        if (window == null) {
            return;
        }
        if (registered) {
            try {
                session.backend().unregisterHost(window.mapping());
            } catch (CudaException e) {
                log.debug("unregistering {}: {}", window.path(), e.getMessage());
            }
        }
        window.close();
        window = null;
    }
}
