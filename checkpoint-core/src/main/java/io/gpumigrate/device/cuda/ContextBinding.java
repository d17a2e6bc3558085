package io.gpumigrate.device.cuda;

import io.gpumigrate.device.CudaException;

/**
 * Keeps one backend's context current on whichever thread calls it. CUDA's current context is
 * per thread; a thread-local token per binding, never reused, says whether this binding's
 * context is already current on the calling thread, so the common case costs one
 * thread-local read and no driver call. (Code that changes the current context behind the
 * backend's back, on the same thread, is not noticed.)
 *
 * <p>Thread-safe in the sense that every thread gets its own answer.
 */
final class ContextBinding {

    private static final ThreadLocal<Object> CURRENT = new ThreadLocal<>();

    private final CudaDriver driver;
    private final long context;
    private final Object token = new Object();

    ContextBinding(CudaDriver driver, long context) {
        this.driver = driver;
        this.context = context;
    }

    /** Makes the context current on the calling thread unless it already is. */
    void ensureCurrent() throws CudaException {
        if (CURRENT.get() != token) {
            makeCurrent();
        }
    }

    void makeCurrent() throws CudaException {
        driver.check(driver.ctxSetCurrent(context), "cuCtxSetCurrent");
        CURRENT.set(token);
    }

    /** Leaves the calling thread without a current context, if it had this one. */
    void release() {
        if (CURRENT.get() == token) {
            driver.ctxSetCurrent(0);
            CURRENT.remove();
        }
    }
}
