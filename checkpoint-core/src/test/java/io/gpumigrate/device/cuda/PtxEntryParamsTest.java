package io.gpumigrate.device.cuda;

import io.gpumigrate.device.ParamLayout;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PtxEntryParamsTest {

    private static String contractPtx() throws IOException {
        try (InputStream in = io.gpumigrate.device.DeviceBackendContract.class.getResourceAsStream("contract_kernels.ptx")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void nvccOutputForPointersAndIntsMatchesTheDriverLayout() throws IOException {
        ParamLayout add = PtxEntryParams.parse(contractPtx(), "vectorAdd").orElseThrow();
        assertArrayEquals(new int[] {0, 8, 16, 24}, add.offsets());
        assertArrayEquals(new int[] {8, 8, 8, 4}, add.sizes());
        assertEquals(28, add.bufferSize(), "no tail padding");
    }

    @Test
    void aStructByValueIsAnAlignedByteArray() throws IOException {
        ParamLayout affine = PtxEntryParams.parse(contractPtx(), "affine").orElseThrow();
        assertArrayEquals(new int[] {0, 16, 24, 32}, affine.offsets());
        assertArrayEquals(new int[] {16, 8, 8, 4}, affine.sizes());
    }

    @Test
    void alignmentPaddingArraysCommentsAndPointerAttributes() {
        String ptx = """
                .visible .entry k( // a comment (with parentheses)
                    .param .u8 k_p0,
                    .param .u64 .ptr .global .align 16 k_p1, /* pointee alignment, not the parameter's */
                    .param .f16 k_p2,
                    .param .align 16 .b8 k_p3[20],
                    .param .f32 k_p4[3]
                )
                { ret; }
                """;
        ParamLayout layout = PtxEntryParams.parse(ptx, "k").orElseThrow();
        assertArrayEquals(new int[] {0, 8, 16, 32, 52}, layout.offsets());
        assertArrayEquals(new int[] {1, 8, 2, 20, 12}, layout.sizes());
    }

    @Test
    void kernelsWithoutParametersAndMissingKernels() {
        String ptx = ".visible .entry empty()\n{ ret; }\n.visible .entry emptyTwo()\n{ ret; }\n";
        assertEquals(0, PtxEntryParams.parse(ptx, "empty").orElseThrow().count());
        assertTrue(PtxEntryParams.parse(ptx, "emp").isEmpty(), "a prefix of a name is not the name");
        assertTrue(PtxEntryParams.parse(".func helper(.param .u32 x) { ret; }", "helper").isEmpty(), ".func is not a kernel");
    }

    @Test
    void anUnreadableParameterIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PtxEntryParams.parse(".entry k(.param .weird x)\n{}", "k"));
        assertTrue(e.getMessage().contains(".param .weird x"), e.getMessage());
    }
}
