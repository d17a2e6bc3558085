package io.gpumigrate.ptx.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceBackend;
import io.gpumigrate.device.DeviceModule;
import java.util.Locale;
import java.util.Optional;
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

    /**
     * Loads a module whose instructions lie beyond issue 3's list. A backend may refuse it, but only
     * at load time, with INVALID_PTX or NOT_SUPPORTED and a message naming the instruction (this
     * asserts that); then the result is empty and the test has nothing more to check.
     */
    protected Optional<DeviceModule> loadOrRefuseNaming(String module, String instruction) throws CudaException {
        try {
            return Optional.of(gpu.load(module));
        } catch (CudaException e) {
            assertTrue(e.result() == CuResult.INVALID_PTX || e.result() == CuResult.NOT_SUPPORTED, e.getMessage());
            assertTrue(e.getMessage().toLowerCase(Locale.ROOT).contains(instruction),
                    "the refusal names the instruction (" + instruction + "): " + e.getMessage());
            return Optional.empty();
        }
    }

    @AfterEach
    void closeBackend() {
        gpu.close();
        backend.close();
    }
}
