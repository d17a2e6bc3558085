package io.gpumigrate.ptx;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The parser on nvcc's output and on the syntax corners it produces. */
class PtxParserTest {

    private static PtxModule parse(String body) throws PtxSyntaxException {
        return PtxParser.parse(".version 9.0\n.target sm_90\n.address_size 64\n" + body);
    }

    @Test
    void parsesNvccOutput() throws Exception {
        PtxModule m = PtxParser.parse(new String(KernelHarness.resource("kernels.ptx"), StandardCharsets.UTF_8));
        assertEquals("9.0", m.version());
        assertEquals("sm_90", m.target());
        List<String> entries = m.functions().stream().filter(PtxFunction::entry).map(PtxFunction::name).toList();
        assertTrue(entries.containsAll(List.of("reduceSum", "bits", "matmul", "atomics", "warpOps")), entries.toString());
        PtxFunction mix = m.function("mix");
        assertEquals(1, mix.returns().size());
        assertEquals(2, mix.params().size());
        assertTrue(m.variables().stream().anyMatch(v -> v.name().equals("partial") && v.external() && v.elements() == 0));
    }

    @Test
    void structParametersGetTheirAlignment() throws Exception {
        PtxModule m = parse(".visible .entry k(.param .u32 a, .param .align 8 .b8 s[24], .param .u16 b, .param .u64 c)\n{\n ret;\n}\n");
        var layout = KernelCompiler.layout(m.function("k"));
        assertArrayEquals(new int[] {0, 8, 32, 40}, layout.offsets());
        assertArrayEquals(new int[] {4, 24, 2, 8}, layout.sizes());
    }

    @Test
    void operandsOfEveryShape() throws Exception {
        PtxModule m = parse("""
                .visible .entry k()
                {
                \t.reg .pred %p<2>;
                \t.reg .b32 %r<5>;
                \t.reg .b64 %rd<3>;
                \t@!%p1 ld.global.v2.u32 {%r1, %r2}, [%rd1+-4];
                \tsetp.lt.and.s32 %p0|%p1, %r1, -7, !%p1;
                \tmov.f32 %r3, 0f3F800000;
                \tmov.b64 {%r1, _}, %rd2;
                \tret;
                }
                """);
        List<PtxStatement> body = m.function("k").body();
        PtxStatement.Instr ld = (PtxStatement.Instr) body.get(3);
        assertEquals("ld.global.v2.u32", ld.opcode());
        assertEquals("%p1", ld.guard());
        assertTrue(ld.negated());
        assertEquals(new PtxOperand.Addr("%rd1", -4), ld.operands().get(1));
        PtxStatement.Instr setp = (PtxStatement.Instr) body.get(4);
        assertInstanceOf(PtxOperand.Pair.class, setp.operands().get(0));
        assertEquals(new PtxOperand.Imm(-7), setp.operands().get(2));
        assertInstanceOf(PtxOperand.Not.class, setp.operands().get(3));
        PtxStatement.Instr mov = (PtxStatement.Instr) body.get(5);
        assertEquals(new PtxOperand.FImm(0x3F800000L, false), mov.operands().get(1));
        assertNull(((PtxStatement.Instr) body.get(6)).guard());
    }

    @Test
    void initializersBecomeLittleEndianBytes() throws Exception {
        PtxModule m = parse(".global .align 4 .u32 a[3] = {1, 2, 0x01020304};\n.const .f32 f = 0f3F800000;\n");
        PtxVariable a = m.variables().get(0);
        assertArrayEquals(new byte[] {1, 0, 0, 0, 2, 0, 0, 0, 4, 3, 2, 1}, a.init());
        assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3F}, m.variables().get(1).init());
    }

    @Test
    void errorsNameTheLine() {
        PtxSyntaxException e = assertThrows(PtxSyntaxException.class,
                () -> parse(".visible .entry k()\n{\n ret\n}\n"));
        assertTrue(e.line() >= 5, "line " + e.line());
        assertThrows(PtxSyntaxException.class, () -> PtxParser.parse("not ptx at all"));
    }
}
