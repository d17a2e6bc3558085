package io.gpumigrate.ptx.conformance;

import io.gpumigrate.device.DeviceBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of every conformance test: a fresh backend per test (a failed kernel may leave a
 * context unusable, as CUDA's sticky errors do) and a {@link KernelRunner} over it.
 * Subclasses use {@link #gpu}; a subclass for another backend overrides {@link #createBackend()}.
 */
abstract class ConformanceTest {

    protected DeviceBackend backend;
    protected KernelRunner gpu;

    /** The backend under test; by default the one {@link ConformanceBackends} selects. */
    protected DeviceBackend createBackend() {
        return ConformanceBackends.create();
    }

    @BeforeEach
    void openBackend() {
        backend = createBackend();
        gpu = new KernelRunner(backend);
    }

    @AfterEach
    void closeBackend() {
        gpu.close();
        backend.close();
    }
}
