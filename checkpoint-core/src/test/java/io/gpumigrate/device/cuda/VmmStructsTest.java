package io.gpumigrate.device.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class VmmStructsTest {

    private static final Path CUDA_H = Path.of("/usr/local/cuda/include/cuda.h");

    /** Compiles a probe against the real cuda.h and compares every size and offset the backend relies on. */
    @Test
    void layoutsMatchCudaHeader(@TempDir Path dir) throws Exception {
        assumeTrue(Files.exists(CUDA_H), "no CUDA toolkit header at " + CUDA_H);
        String probe = """
                #include <stdio.h>
                #include <stddef.h>
                #include <cuda.h>
                int main(void) {
                    printf("%zu %zu %zu %zu %zu %zu %zu %zu\\n",
                        sizeof(CUmemAllocationProp), offsetof(CUmemAllocationProp, type),
                        offsetof(CUmemAllocationProp, requestedHandleTypes),
                        offsetof(CUmemAllocationProp, location.type), offsetof(CUmemAllocationProp, location.id),
                        sizeof(CUmemAccessDesc), offsetof(CUmemAccessDesc, location.id), offsetof(CUmemAccessDesc, flags));
                    printf("%d %d %d %d %d\\n", CU_MEM_ALLOCATION_TYPE_PINNED, CU_MEM_HANDLE_TYPE_NONE,
                        CU_MEM_LOCATION_TYPE_DEVICE, CU_MEM_ACCESS_FLAGS_PROT_READWRITE, CU_MEM_ALLOC_GRANULARITY_MINIMUM);
                    return 0;
                }
                """;
        Path exe = CCompiler.compile(dir, "probe", probe, "-I" + CUDA_H.getParent());
        String[] lines = CCompiler.run(List.of(exe.toString())).strip().split("\n");
        String javaLayout = String.join(" ", List.of(
                String.valueOf(VmmStructs.ALLOCATION_PROP.byteSize()), String.valueOf(VmmStructs.PROP_TYPE),
                String.valueOf(VmmStructs.PROP_HANDLE_TYPES), String.valueOf(VmmStructs.PROP_LOCATION_TYPE),
                String.valueOf(VmmStructs.PROP_LOCATION_ID), String.valueOf(VmmStructs.ACCESS_DESC.byteSize()),
                String.valueOf(VmmStructs.ACCESS_LOCATION_ID), String.valueOf(VmmStructs.ACCESS_FLAGS)));
        assertEquals(lines[0], javaLayout, "sizes and offsets: C then Java");
        String javaEnums = VmmStructs.ALLOCATION_TYPE_PINNED + " " + VmmStructs.HANDLE_TYPE_NONE + " "
                + VmmStructs.LOCATION_TYPE_DEVICE + " " + VmmStructs.ACCESS_READWRITE + " " + VmmStructs.GRANULARITY_MINIMUM;
        assertEquals(lines[1], javaEnums, "enum values: C then Java");
    }

    @Test
    void pinnedDevicePropertyNamesTheDeviceAndNothingElse() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment prop = VmmStructs.pinnedDeviceProp(arena, 3);
            assertEquals(VmmStructs.ALLOCATION_TYPE_PINNED, prop.get(JAVA_INT, VmmStructs.PROP_TYPE));
            assertEquals(VmmStructs.LOCATION_TYPE_DEVICE, prop.get(JAVA_INT, VmmStructs.PROP_LOCATION_TYPE));
            assertEquals(3, prop.get(JAVA_INT, VmmStructs.PROP_LOCATION_ID));
            long nonZero = 0;
            for (long i = 0; i < prop.byteSize(); i++) {
                nonZero += prop.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) != 0 ? 1 : 0;
            }
            assertEquals(3, nonZero, "only type, location type and location id are set; the rest must be zero");
            MemorySegment access = VmmStructs.readWriteAccess(arena, 3);
            assertEquals(VmmStructs.ACCESS_READWRITE, access.get(JAVA_INT, VmmStructs.ACCESS_FLAGS));
            assertEquals(3, access.get(JAVA_INT, VmmStructs.ACCESS_LOCATION_ID));
        }
    }
}
