package io.gpumigrate.ptx.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceFunction;
import io.gpumigrate.device.DeviceModule;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Loading: every conformance module loads and exposes each kernel with its declared parameter
 * count; a module with an instruction the emulator lacks, and text that is not PTX, fail to
 * load with an error rather than loading and computing something else.
 */
class ModuleLoadTest extends ConformanceTest {

    private static final Pattern ENTRY = Pattern.compile("\\.entry\\s+(\\w+)\\s*\\(([^)]*)\\)");

    /** Modules using instructions beyond issue 3's list, which a backend may refuse by name instead (ConformanceTest.loadOrRefuseNaming). */
    private static final Set<String> OPTIONAL = Set.of("async_copy", "half_math", "int_dot");

    static List<String> modules() {
        return PtxCorpus.moduleNames().stream().filter(m -> !OPTIONAL.contains(m)).toList();
    }

    @ParameterizedTest
    @MethodSource("modules")
    void everyKernelOfTheModuleIsThere(String name) throws CudaException {
        String ptx = new String(KernelRunner.ptx(name), StandardCharsets.UTF_8);
        DeviceModule module = gpu.load(name);
        Matcher m = ENTRY.matcher(ptx);
        int kernels = 0;
        while (m.find()) {
            DeviceFunction f = backend.function(module, m.group(1));
            assertEquals(m.group(1), f.name());
            int declared = m.group(2).isBlank() ? 0 : m.group(2).split(",").length;
            assertEquals(declared, f.params().count(), "parameters of " + m.group(1));
            kernels++;
        }
        assertTrue(kernels > 0, name + ".ptx declares kernels");
    }

    @Test
    void unknownKernelIsNotFound() throws CudaException {
        DeviceModule module = gpu.load("int_arith");
        CudaException e = assertThrows(CudaException.class, () -> backend.function(module, "no_such_kernel"));
        assertEquals(CuResult.NOT_FOUND, e.result(), e.getMessage());
    }

    @Test
    void unsupportedInstructionFailsAtLoadNamingIt() {
        CudaException e = assertThrows(CudaException.class, () -> gpu.load("handwritten/unsupported_wgmma"));
        assertTrue(e.result() == CuResult.INVALID_PTX || e.result() == CuResult.NOT_SUPPORTED,
                "INVALID_PTX or NOT_SUPPORTED, was " + e.getMessage());
        assertTrue(e.getMessage().toLowerCase(Locale.ROOT).contains("wgmma"), "names the instruction: " + e.getMessage());
    }

    @Test
    void textThatIsNotPtxFailsToLoad() {
        byte[] junk = ".version 8.0\n.target sm_90\n.address_size 64\n.visible .entry k( { frobnicate; }\n"
                .getBytes(StandardCharsets.US_ASCII);
        CudaException e = assertThrows(CudaException.class, () -> backend.loadModule(junk));
        assertTrue(e.result() == CuResult.INVALID_PTX || e.result() == CuResult.INVALID_IMAGE,
                "INVALID_PTX or INVALID_IMAGE, was " + e.getMessage());
    }
}
