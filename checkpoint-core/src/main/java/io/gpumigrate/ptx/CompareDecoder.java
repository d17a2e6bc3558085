package io.gpumigrate.ptx;

import io.gpumigrate.ptx.InstructionDecoder.Decoded;

/** Decodes {@code setp}, {@code set} and {@code cvt}. */
final class CompareDecoder {

    private CompareDecoder() {
    }

    static void compare(String base, Decoded d, OperandResolver ops) throws PtxSyntaxException {
        Insn insn = d.insn();
        insn.op = base.equals("setp") ? Op.SETP : Op.SET;
        insn.mode = -1;
        for (String m : d.mods()) {
            int c = Mode.compare(m);
            if (c >= 0) {
                insn.mode = c;
            } else if (m.equals("and")) {
                insn.mode2 = Mode.BOOL_AND;
            } else if (m.equals("or")) {
                insn.mode2 = Mode.BOOL_OR;
            } else if (m.equals("xor")) {
                insn.mode2 = Mode.BOOL_XOR;
            } else if (m.equals("ftz")) {
                insn.flags |= Insn.FTZ;
            } else {
                throw InstructionDecoder.unsupported(d.in());
            }
        }
        if (insn.mode < 0) {
            throw ops.error(d.in().opcode() + " has no comparison");
        }
        PtxType source = d.type();
        insn.type2 = source;
        if (base.equals("set")) {
            if (d.types().size() != 2) {
                throw ops.error("set needs a destination and a source type");
            }
            insn.type = d.types().get(0);
            insn.d = ops.dst(d.operand(0));
        } else {
            insn.type = source;
            PtxOperand dst = d.operand(0);
            if (dst instanceof PtxOperand.Pair pair) {
                insn.d = ops.pred(pair.first(), null);
                insn.d2 = ops.pred(pair.second(), null);
                insn.flags |= Insn.HAS_D2;
            } else {
                insn.d = ops.pred(dst, null);
            }
        }
        insn.a = ops.src(d.operand(1), source);
        insn.b = ops.src(d.operand(2), source);
        if (insn.mode2 != Mode.BOOL_NONE) {
            boolean[] neg = new boolean[1];
            insn.e = ops.pred(d.operand(3), neg);
            if (neg[0]) {
                insn.flags |= Insn.NEGATE_C;
            }
        }
        if (source.isFloat() ? insn.mode >= Mode.LO && insn.mode <= Mode.HS : insn.mode >= Mode.EQU) {
            throw InstructionDecoder.unsupported(d.in());
        }
        if (source == PtxType.F16X2 || source == PtxType.BF16X2 || (base.equals("set") && source.isHalf())) {
            throw InstructionDecoder.unsupported(d.in());
        }
    }

    static void convert(Decoded d, OperandResolver ops) throws PtxSyntaxException {
        Insn insn = d.insn();
        if (d.types().size() != 2) {
            throw ops.error("cvt needs a destination and a source type: " + d.in().opcode());
        }
        insn.op = Op.CVT;
        insn.type = d.types().get(0);
        insn.type2 = d.types().get(1);
        insn.mode = Mode.RN;
        for (String m : d.mods()) {
            int r = Mode.rounding(m);
            if (r >= 0) {
                insn.mode = r;
                if (m.endsWith("i")) {
                    insn.flags |= Insn.INTEGRAL;
                }
            } else if (m.equals("ftz")) {
                insn.flags |= Insn.FTZ;
            } else if (m.equals("sat")) {
                insn.flags |= Insn.SAT;
            } else {
                throw InstructionDecoder.unsupported(d.in());
            }
        }
        if (insn.type == PtxType.F16X2 || insn.type2 == PtxType.F16X2 || insn.type == PtxType.PRED
                || insn.type2 == PtxType.PRED) {
            throw InstructionDecoder.unsupported(d.in());
        }
        if (insn.type.isInteger() && insn.type2.isFloat()) {
            insn.flags |= Insn.INTEGRAL;
            if (d.rounding() < 0) {
                throw ops.error("cvt from float to integer needs a rounding modifier: " + d.in().opcode());
            }
        }
        insn.d = ops.dst(d.operand(0));
        insn.a = ops.src(d.operand(1), insn.type2);
    }
}
