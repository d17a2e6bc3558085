package io.gpumigrate.device.cuda;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** How the backend finds, refuses and initialises a driver library, checked with stand-in libraries built by gcc. */
class DriverLibraryTest {

    @Test
    void withoutADriverTheBackendIsUnavailableAndSaysWhy() {
        assumeFalse(CudaBackend.available(), "a CUDA driver is installed here");
        assertTrue(CudaBackend.unavailableReason().contains("libcuda.so.1"), CudaBackend.unavailableReason());
        CudaException e = assertThrows(CudaException.class, () -> CudaBackend.open(0));
        assertEquals(CuResult.NO_DEVICE, e.result());
    }

    @Test
    void gpumigratesOwnClientLibraryIsRefused(@TempDir Path dir) throws Exception {
        Path fake = CCompiler.compile(dir, "libcuda.so.1",
                "int gpumigrate_client_version(void) { return 1; }\nint cuInit(unsigned flags) { return 0; }\n",
                "-shared", "-fPIC");
        CudaException e = assertThrows(CudaException.class, () -> DriverLibrary.load(List.of(fake.toString())));
        assertEquals(CuResult.NO_DEVICE, e.result());
        assertTrue(e.getMessage().contains("gpumigrate's client library"), e.getMessage());
    }

    @Test
    void aLibraryMissingDriverSymbolsIsRefusedByName(@TempDir Path dir) throws Exception {
        Path partial = CCompiler.compile(dir, "libpartial.so", "int cuInit(unsigned flags) { return 0; }\n",
                "-shared", "-fPIC");
        CudaException e = assertThrows(CudaException.class, () -> DriverLibrary.load(List.of(partial.toString())));
        assertEquals(CuResult.NO_DEVICE, e.result());
        assertTrue(e.getMessage().contains("does not export cu"), e.getMessage());
    }

    @Test
    void aDriverThatSeesNoDeviceIsRefused(@TempDir Path dir) throws Exception {
        String stubs = DriverBindingsTest.boundSymbols().keySet().stream()
                .filter(s -> !s.equals("cuDeviceGetCount"))
                .map(s -> "int " + s + "(void) { return 0; }")
                .collect(Collectors.joining("\n"));
        Path noDevices = CCompiler.compile(dir, "libnodevice.so",
                stubs + "\nint cuDeviceGetCount(int *count) { *count = 0; return 0; }\n", "-shared", "-fPIC");
        CudaException e = assertThrows(CudaException.class, () -> DriverLibrary.load(List.of(noDevices.toString())));
        assertEquals(CuResult.NO_DEVICE, e.result());
        assertTrue(e.getMessage().contains("reports no CUDA device"), e.getMessage());
    }

    @Test
    void everyCandidateIsTriedAndEachFailureReported(@TempDir Path dir) throws Exception {
        CudaException e = assertThrows(CudaException.class,
                () -> DriverLibrary.load(List.of(dir.resolve("absent-one.so").toString(), dir.resolve("absent-two.so").toString())));
        assertTrue(e.getMessage().contains("absent-one.so") && e.getMessage().contains("absent-two.so"), e.getMessage());
        assertFalse(DriverLibrary.candidates().isEmpty());
    }
}
