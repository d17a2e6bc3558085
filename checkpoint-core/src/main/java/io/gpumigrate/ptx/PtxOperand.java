package io.gpumigrate.ptx;

import java.util.List;

/** An instruction operand as written in the PTX text, before registers are resolved. */
public sealed interface PtxOperand {

    /** A register or special register: {@code %r1}, {@code %tid.x}. */
    record Reg(String name) implements PtxOperand {
    }

    /** An integer literal. */
    record Imm(long value) implements PtxOperand {
    }

    /** A float literal: {@code 0f3F800000} (single), {@code 0d...} (double) or decimal (a double). */
    record FImm(long bits, boolean isDouble) implements PtxOperand {
    }

    /** A name: a variable, label or function. */
    record Sym(String name) implements PtxOperand {
    }

    /** A memory operand {@code [base+offset]}; base is a register or symbol name, or null for an absolute address. */
    record Addr(String base, long offset) implements PtxOperand {
    }

    /** A vector of registers: {@code {%r1, %r2}}. */
    record Vec(List<PtxOperand> items) implements PtxOperand {
    }

    /** A negated predicate: {@code !%p1}. */
    record Not(PtxOperand inner) implements PtxOperand {
    }

    /** A destination with a predicate output: {@code %r1|%p1}. */
    record Pair(PtxOperand first, PtxOperand second) implements PtxOperand {
    }

    /** A parenthesised list (call arguments). */
    record Group(List<PtxOperand> items) implements PtxOperand {
    }

    /** The sink {@code _}. */
    record Sink() implements PtxOperand {
    }
}
