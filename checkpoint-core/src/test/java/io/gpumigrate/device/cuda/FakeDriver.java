package io.gpumigrate.device.cuda;

import io.gpumigrate.device.CudaException;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code fake_libcuda.c}, a stand-in driver built with gcc once per JVM, loaded the way the
 * backend loads NVIDIA's, plus the counters it exposes for tests. Tests that use it are skipped
 * where gcc is missing.
 */
final class FakeDriver {

    private static CudaDriver driver;
    private static SymbolLookup lookup;

    private FakeDriver() {
    }

    /** The fake driver, initialised; skips the calling test where it cannot be built. */
    static synchronized CudaDriver driver() throws IOException, InterruptedException, CudaException {
        if (driver == null) {
            Path dir = Files.createTempDirectory("fake-cuda");
            dir.toFile().deleteOnExit();
            String source;
            try (InputStream in = FakeDriver.class.getResourceAsStream("fake_libcuda.c")) {
                source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Path library = CCompiler.compile(dir, "libfakecuda.so", source, "-shared", "-fPIC");
            library.toFile().deleteOnExit();
            driver = DriverLibrary.load(List.of(library.toString()));
            lookup = SymbolLookup.libraryLookup(library, Arena.global());
        }
        assumeTrue(driver != null, "fake driver not built");
        return driver;
    }

    /** Streams created and not destroyed, over all backends on the fake. */
    static int streamsAlive() {
        return (int) counter("fake_streams_alive", ValueLayout.JAVA_INT);
    }

    /** Primary-context references held. */
    static int contextsRetained() {
        return (int) counter("fake_contexts_retained", ValueLayout.JAVA_INT);
    }

    /** Bytes of device memory created and not released. */
    static long memoryUsed() {
        return (long) counter("fake_memory_used", ValueLayout.JAVA_LONG);
    }

    private static Object counter(String name, ValueLayout type) {
        MethodHandle h = Linker.nativeLinker().downcallHandle(lookup.find(name).orElseThrow(), FunctionDescriptor.of(type));
        try {
            return h.invoke();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
