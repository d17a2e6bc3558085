package io.gpumigrate.worker;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceBackend;
import io.gpumigrate.device.emulator.EmulatorBackend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.InvocationTargetException;
import java.util.Locale;

/**
 * Which device backend a worker runs on: {@code cuda} (a real GPU through libcuda),
 * {@code emulator} (the PTX emulator), or {@code auto}: CUDA where it can be created and
 * finds a GPU, else the emulator. The CUDA backend is looked up by name (its static
 * {@code open(int ordinal)}, device 0) so that a build without it still runs on the emulator.
 * Thread-safe (immutable).
 */
public enum BackendChoice {
    AUTO, CUDA, EMULATOR;

    private static final Logger log = LoggerFactory.getLogger(BackendChoice.class);
    static final String CUDA_BACKEND_CLASS = "io.gpumigrate.device.cuda.CudaBackend";

    /** Parses {@code auto}, {@code cuda} or {@code emulator} (any case). */
    public static BackendChoice parse(String value) {
        try {
            return valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("backend '" + value + "' is not one of auto, cuda, emulator");
        }
    }

    /** The lower-case name used on command lines. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Creates the backend this choice names.
     *
     * @throws CudaException for {@code cuda} when no CUDA backend can be created, with the reason
     */
    public DeviceBackend create() throws CudaException {
        return switch (this) {
            case EMULATOR -> emulator("the emulator backend was asked for");
            case CUDA -> cuda();
            case AUTO -> {
                try {
                    DeviceBackend backend = cuda();
                    log.info("backend: CUDA ({})", backend.properties().name());
                    yield backend;
                } catch (CudaException e) {
                    yield emulator("no usable GPU: " + e.getMessage());
                }
            }
        };
    }

    /** System property: bytes of device memory the emulator reports (default {@link EmulatorBackend#DEFAULT_TOTAL_MEMORY}). */
    public static final String EMULATOR_MEMORY_PROPERTY = "gpumigrate.emulator.memory";

    /**
     * System property: where the emulator places module globals from (hex {@code 0x...} or
     * decimal; default {@link io.gpumigrate.device.emulator.DeviceAddressSpace#GLOBALS_BASE}).
     * For tests: a node whose workers place globals themselves, elsewhere, stands for a GPU whose
     * driver places a module's globals (one the CUDA backend cannot patch) in another process.
     */
    public static final String EMULATOR_GLOBALS_BASE_PROPERTY = "gpumigrate.emulator.globalsBase";

    private static DeviceBackend emulator(String why) {
        log.info("backend: PTX emulator ({})", why);
        String memory = System.getProperty(EMULATOR_MEMORY_PROPERTY);
        long bytes = memory == null ? EmulatorBackend.DEFAULT_TOTAL_MEMORY : Long.parseLong(memory);
        String globalsBase = System.getProperty(EMULATOR_GLOBALS_BASE_PROPERTY);
        if (globalsBase == null) {
            return new EmulatorBackend(bytes);
        }
        log.info("emulator: module globals placed by the device, from {}", globalsBase);
        return new EmulatorBackend(bytes, Runtime.getRuntime().availableProcessors(), Long.decode(globalsBase));
    }

    private static DeviceBackend cuda() throws CudaException {
        Class<?> type;
        try {
            type = Class.forName(CUDA_BACKEND_CLASS);
        } catch (ClassNotFoundException e) {
            throw new CudaException(CuResult.NOT_SUPPORTED, "this build has no CUDA backend (" + CUDA_BACKEND_CLASS + ")");
        }
        try {
            return (DeviceBackend) type.getMethod("open", int.class).invoke(null, 0);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof CudaException ce) {
                throw ce;
            }
            throw new CudaException(CuResult.NO_DEVICE, "the CUDA backend could not start: " + cause, cause);
        } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
            throw new CudaException(CuResult.NO_DEVICE, "the CUDA backend could not be created: " + e, e);
        }
    }
}
