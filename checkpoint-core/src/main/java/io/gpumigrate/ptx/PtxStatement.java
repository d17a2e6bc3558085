package io.gpumigrate.ptx;

import java.util.List;

/** One statement of a function body, in text order. */
public sealed interface PtxStatement {

    /** A label: {@code $L__BB0_2:}. */
    record Label(String name, int line) implements PtxStatement {
    }

    /** A declaration inside the body. */
    record Decl(PtxVariable variable) implements PtxStatement {
    }

    /** {@code {}: opens a nested scope. */
    record Open(int line) implements PtxStatement {
    }

    /** {@code }}: closes it. */
    record Close(int line) implements PtxStatement {
    }

    /**
     * An instruction.
     *
     * @param guard     predicate register guarding it, or null
     * @param negated   {@code @!p} rather than {@code @p}
     * @param opcode    the opcode with its modifiers, e.g. {@code ld.global.v4.f32}
     */
    record Instr(String guard, boolean negated, String opcode, List<PtxOperand> operands, int line)
            implements PtxStatement {
    }
}
