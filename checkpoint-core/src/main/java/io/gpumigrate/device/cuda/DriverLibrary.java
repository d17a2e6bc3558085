package io.gpumigrate.device.cuda;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Finds NVIDIA's {@code libcuda.so.1}, initialises it and checks that it sees a device.
 *
 * <p>The library is looked up as {@code libcuda.so.1} on the loader's path, then at the usual
 * absolute locations; the system property {@value #PATH_PROPERTY} names one file to use
 * instead. A library that exports {@value #CLIENT_MARKER} is gpumigrate's own client library
 * (on a client's library path it stands in for the driver) and is refused: a worker running
 * over it would forward to itself.
 *
 * <p>Thread-safe. The driver, once loaded, stays loaded for the life of the JVM: unloading
 * NVIDIA's driver library while contexts exist is not safe.
 */
final class DriverLibrary {

    static final String SONAME = "libcuda.so.1";
    static final String CLIENT_MARKER = "gpumigrate_client_version";
    static final String PATH_PROPERTY = "gpumigrate.cuda.driver";
    private static final List<String> WELL_KNOWN_PATHS = List.of(
            "/usr/lib/x86_64-linux-gnu/libcuda.so.1",
            "/usr/lib64/libcuda.so.1",
            "/usr/lib/aarch64-linux-gnu/libcuda.so.1",
            "/usr/local/nvidia/lib64/libcuda.so.1",
            "/usr/lib/wsl/lib/libcuda.so.1");

    private static CudaDriver shared;
    private static CudaException sharedFailure;

    private DriverLibrary() {
    }

    /**
     * The process-wide driver, initialised, with at least one device; the first call loads it
     * and later calls return the same driver or throw the same failure.
     *
     * @throws CudaException {@code CUDA_ERROR_NO_DEVICE} naming why no usable driver was found
     */
    static synchronized CudaDriver shared() throws CudaException {
        if (shared == null && sharedFailure == null) {
            try {
                shared = load(candidates());
            } catch (CudaException e) {
                sharedFailure = e;
            }
        }
        if (sharedFailure != null) {
            throw new CudaException(sharedFailure.result(), reason(sharedFailure), sharedFailure);
        }
        return shared;
    }

    /** The names and paths tried, in order. */
    static List<String> candidates() {
        String configured = System.getProperty(PATH_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return List.of(configured);
        }
        List<String> names = new ArrayList<>();
        names.add(SONAME);
        for (String path : WELL_KNOWN_PATHS) {
            if (Files.exists(Path.of(path))) {
                names.add(path);
            }
        }
        return names;
    }

    /**
     * Loads the first candidate that is a real CUDA driver, runs {@code cuInit(0)} and checks
     * the device count. Candidates refused before any call (gpumigrate's client library, missing
     * symbols) are unloaded again; one whose {@code cuInit} ran stays loaded.
     *
     * @throws CudaException {@code CUDA_ERROR_NO_DEVICE} listing what each candidate failed on
     */
    static CudaDriver load(List<String> candidates) throws CudaException {
        List<String> reasons = new ArrayList<>();
        for (String candidate : candidates) {
            Arena arena = Arena.ofShared();
            CudaDriver driver;
            try {
                driver = open(candidate, arena);
            } catch (CudaException | IllegalArgumentException e) {
                arena.close();
                reasons.add(e instanceof CudaException c ? reason(c) : e.getMessage());
                continue;
            }
            try {
                initialise(driver);
                return driver;
            } catch (CudaException e) {
                // Not unloaded: a driver whose cuInit ran may have registered exit handlers.
                reasons.add(reason(e));
            }
        }
        throw new CudaException(CuResult.NO_DEVICE, "no usable CUDA driver: " + String.join("; ", reasons));
    }

    /** The exception's message without the {@code "NAME (code): "} prefix that {@link CudaException} adds. */
    static String reason(CudaException e) {
        String prefix = CuResult.name(e.result()) + " (" + e.result() + "): ";
        String message = e.getMessage();
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }

    private static CudaDriver open(String candidate, Arena arena) throws CudaException {
        SymbolLookup lookup;
        try {
            lookup = SymbolLookup.libraryLookup(candidate, arena);
        } catch (IllegalArgumentException e) {
            throw new CudaException(CuResult.NO_DEVICE, candidate + " cannot be loaded (no NVIDIA driver installed?)");
        }
        if (lookup.find(CLIENT_MARKER).isPresent()) {
            throw new CudaException(CuResult.NO_DEVICE, candidate + " is gpumigrate's client library (it exports "
                    + CLIENT_MARKER + "), not NVIDIA's driver; put the real driver first on the library path or set -D"
                    + PATH_PROPERTY + "=/path/to/libcuda.so.1");
        }
        return new CudaDriver(lookup, candidate);
    }

    private static void initialise(CudaDriver driver) throws CudaException {
        int rc = driver.init(0);
        if (rc != CuResult.SUCCESS) {
            throw new CudaException(CuResult.NO_DEVICE, driver.origin() + ": cuInit(0) failed with "
                    + driver.errorName(rc) + " (" + rc + ")");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(JAVA_INT);
            rc = driver.deviceGetCount(count);
            if (rc != CuResult.SUCCESS) {
                throw new CudaException(CuResult.NO_DEVICE, driver.origin() + ": cuDeviceGetCount failed with "
                        + driver.errorName(rc) + " (" + rc + ")");
            }
            if (count.get(JAVA_INT, 0) <= 0) {
                throw new CudaException(CuResult.NO_DEVICE, driver.origin() + " reports no CUDA device");
            }
        }
    }

    /** Devices the driver sees. */
    static int deviceCount(CudaDriver driver) throws CudaException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(JAVA_INT);
            driver.check(driver.deviceGetCount(count), "cuDeviceGetCount");
            return count.get(JAVA_INT, 0);
        }
    }
}
