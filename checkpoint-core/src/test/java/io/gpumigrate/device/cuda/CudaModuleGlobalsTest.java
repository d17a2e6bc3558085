package io.gpumigrate.device.cuda;

import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.DeviceModule;
import io.gpumigrate.device.LaunchConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every way a module reaches the CUDA backend has its globals placed in a block on a real GPU: the
 * fixtures of {@code cubin/} (nvcc's and ptxas's cubins; fat binaries with an sm_90 entry plain,
 * zstd- or LZ4-compressed, or with PTX only; PTX; a cubin whose initializer holds a global's
 * address), each running {@code bump}, which bumps {@code counter} and stores the addresses of
 * {@code counter} and {@code table} where the kernel sees them. Skipped without a GPU.
 */
@ExtendWith(RequiresCudaGpu.class)
class CudaModuleGlobalsTest {

    private CudaBackend backend;
    private Arena arena;

    @BeforeEach
    void open() throws Exception {
        backend = CudaBackend.open(0);
        arena = Arena.ofConfined();
    }

    @AfterEach
    void close() {
        backend.close();
        arena.close();
    }

    @Test
    void everyKindOfImageHasItsGlobalsPlacedAndTheKernelSeesThemThere() throws Exception {
        for (String fixture : List.of("globals_nvcc.cubin", "globals_ptxas.cubin", "globals_sm90.fatbin",
                "globals_zstd.fatbin", "globals_lz4.fatbin", "globals_ptx_only.fatbin", "globals_rdc.ptx")) {
            DeviceModule module = backend.loadModule(CubinGlobalsTest.fixture(fixture));
            AddressRange block = backend.moduleGlobals(module);
            assertNotNull(block, fixture + ": its globals are placed");
            AddressRange counter = backend.global(module, "counter");
            AddressRange table = backend.global(module, "table");
            assertTrue(block.contains(counter.base(), 4) && block.contains(table.base(), 32), fixture);
            long[] seen = bump(module);
            assertEquals(counter.base(), seen[0], fixture + ": &counter as the kernel sees it");
            assertEquals(table.base(), seen[1], fixture + ": table as the kernel sees it");
            assertEquals(8, read(counter.base(), 4).get(ValueLayout.JAVA_INT, 0), fixture + ": counter = 7 + 1");
            assertEquals(counter.base(), read(table.base() + 8, 8).get(ValueLayout.JAVA_LONG, 0),
                    fixture + ": table[1] = &counter");
            backend.unloadModule(module);
        }
    }

    @Test
    void anInitializerHoldingAGlobalsAddressHoldsThePlacedAddress() throws Exception {
        DeviceModule module = backend.loadModule(CubinGlobalsTest.fixture("globals_pointer.cubin"));
        assertNotNull(backend.moduleGlobals(module), "placed, its initializer written by the backend");
        AddressRange counter = backend.global(module, "counter");
        assertEquals(counter.base(), read(backend.global(module, "p").base(), 8).get(ValueLayout.JAVA_LONG, 0),
                "p = &counter");
        long[] seen = bump(module);
        assertEquals(counter.base(), seen[0], "p as the kernel reads it");
        assertEquals(8, read(counter.base(), 4).get(ValueLayout.JAVA_INT, 0), "*p = 7 + 1");
    }

    /** Runs {@code bump} once; the two words it stores. */
    private long[] bump(DeviceModule module) throws Exception {
        long out = backend.memAlloc(16);
        MemorySegment params = arena.allocate(8, 8);
        params.set(ValueLayout.JAVA_LONG, 0, out);
        backend.launch(backend.function(module, "bump"), new LaunchConfig(1, 1, 1, 1, 1, 1, 0), params, null);
        backend.synchronize();
        MemorySegment got = read(out, 16);
        backend.memFree(out);
        return new long[] {got.get(ValueLayout.JAVA_LONG, 0), got.get(ValueLayout.JAVA_LONG, 8)};
    }

    private MemorySegment read(long address, long bytes) throws Exception {
        MemorySegment s = arena.allocate(bytes, 8);
        backend.copyDtoH(s, address, null);
        return s;
    }
}
