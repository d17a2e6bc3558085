package io.gpumigrate.device.cuda;

import io.gpumigrate.device.CudaException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Turns PTX, or a fat binary's PTX, into the cubin the device runs, with CUDA's JIT linker
 * ({@code cuLinkCreate}, {@code cuLinkAddData}, {@code cuLinkComplete}): the linker's cubin
 * keeps its relocations against module globals, so {@link CubinGlobals} can place them (seen on
 * an H200, driver 580: benchmarks/gpu/probes/place-globals.sh). Needs the context current.
 */
final class CubinLinker {

    /** {@code CU_JIT_ERROR_LOG_BUFFER}, {@code CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES}. */
    private static final int JIT_ERROR_LOG_BUFFER = 5;
    private static final int JIT_ERROR_LOG_BUFFER_SIZE = 6;
    private static final int ERROR_LOG_BYTES = 16 * 1024;
    /** {@code CU_JIT_INPUT_PTX}, {@code CU_JIT_INPUT_FATBINARY}. */
    private static final int INPUT_PTX = 1;
    private static final int INPUT_FATBINARY = 2;

    private CubinLinker() {
    }

    /** The cubin of {@code image} (PTX or a fat binary) for the current context's device. */
    static byte[] link(CudaDriver driver, ModuleImage image) throws CudaException {
        if (image.kind() == ModuleImage.Kind.CUBIN) {
            return image.bytes();
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment log = arena.allocate(ERROR_LOG_BYTES);
            MemorySegment options = arena.allocateFrom(JAVA_INT, JIT_ERROR_LOG_BUFFER, JIT_ERROR_LOG_BUFFER_SIZE);
            MemorySegment values = arena.allocate(ADDRESS, 2);
            values.setAtIndex(ADDRESS, 0, log);
            values.setAtIndex(ADDRESS, 1, MemorySegment.ofAddress(ERROR_LOG_BYTES));
            MemorySegment state = arena.allocate(JAVA_LONG);
            driver.check(driver.linkCreate(2, options, values, state), "cuLinkCreate");
            long link = state.get(JAVA_LONG, 0);
            try {
                byte[] bytes = image.bytes();
                MemorySegment data = arena.allocate(bytes.length, 64);
                MemorySegment.copy(bytes, 0, data, JAVA_BYTE, 0, bytes.length);
                int type = image.kind() == ModuleImage.Kind.PTX ? INPUT_PTX : INPUT_FATBINARY;
                int rc = driver.linkAddData(link, type, data, bytes.length, arena.allocateFrom("module"));
                MemorySegment out = arena.allocate(JAVA_LONG, 2);
                if (rc == 0) {
                    rc = driver.linkComplete(link, out, out.asSlice(8));
                }
                if (rc != 0) {
                    String jitLog = log.getString(0).strip();
                    throw driver.error(rc, "cuLink of " + image.kind() + (jitLog.isEmpty() ? "" : ": " + jitLog));
                }
                long size = out.get(JAVA_LONG, 8);
                return MemorySegment.ofAddress(out.get(JAVA_LONG, 0)).reinterpret(size).toArray(JAVA_BYTE);
            } finally {
                driver.linkDestroy(link);
            }
        }
    }
}
