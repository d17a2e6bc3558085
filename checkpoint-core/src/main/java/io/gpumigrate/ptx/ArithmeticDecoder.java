package io.gpumigrate.ptx;

import io.gpumigrate.ptx.InstructionDecoder.Decoded;

import java.util.List;

/** Decodes moves, integer, bit, float, comparison, conversion and warp instructions. */
final class ArithmeticDecoder {

    private ArithmeticDecoder() {
    }

    /** Fills {@code d.insn()} when {@code base} is one of this family's instructions; false otherwise. */
    static boolean decode(String base, Decoded d, OperandResolver ops) throws PtxSyntaxException {
        Insn insn = d.insn();
        List<PtxOperand> o = d.operands();
        switch (base) {
            case "mov" -> mov(d, ops);
            case "add", "sub" -> {
                PtxType t = d.type();
                insn.type = t;
                boolean cc = d.has("cc");
                if (t.isFloat()) {
                    insn.op = base.equals("add") ? Op.FADD : Op.FSUB;
                    floatMods(d);
                } else {
                    insn.op = base.equals("add") ? (cc ? Op.ADD_CC : Op.ADD) : (cc ? Op.SUB_CC : Op.SUB);
                    if (d.has("sat")) {
                        insn.flags |= Insn.SAT;
                    }
                }
                binary(d, ops, t);
                if (cc) {
                    insn.d2 = ops.carryRegister();
                }
            }
            case "addc", "subc" -> {
                insn.type = d.type();
                insn.op = base.equals("addc") ? Op.ADDC : Op.SUBC;
                binary(d, ops, insn.type);
                insn.c = ops.carryRegister();
                insn.d2 = d.has("cc") ? insn.c : -1;
            }
            case "mul" -> {
                PtxType t = d.type();
                insn.type = t;
                if (t.isFloat()) {
                    insn.op = Op.FMUL;
                    floatMods(d);
                } else {
                    insn.op = d.has("hi") ? Op.MUL_HI : d.has("wide") ? Op.MUL_WIDE : Op.MUL_LO;
                }
                binary(d, ops, t);
            }
            case "mad", "fma" -> {
                PtxType t = d.type();
                insn.type = t;
                if (t.isFloat()) {
                    insn.op = Op.FMA;
                    floatMods(d);
                } else if (d.has("cc")) {
                    insn.op = Op.MAD_CC;
                } else {
                    insn.op = d.has("hi") ? Op.MAD_HI : d.has("wide") ? Op.MAD_WIDE : Op.MAD_LO;
                    if (d.has("sat")) {
                        insn.flags |= Insn.SAT;
                    }
                }
                ternary(d, ops, t, insn.op == Op.MAD_WIDE ? wide(t) : t);
                if (insn.op == Op.MAD_CC) {
                    insn.d2 = ops.carryRegister();
                    insn.mode = d.has("hi") ? 1 : 0;
                }
            }
            case "madc" -> {
                insn.type = d.type();
                insn.op = Op.MADC;
                insn.mode = d.has("hi") ? 1 : 0;
                ternary(d, ops, insn.type, insn.type);
                insn.e = ops.carryRegister();
                insn.d2 = d.has("cc") ? insn.e : -1;
            }
            case "div", "rem", "min", "max" -> {
                PtxType t = d.type();
                insn.type = t;
                if (t.isFloat()) {
                    insn.op = switch (base) {
                        case "div" -> Op.FDIV;
                        case "min" -> Op.FMIN;
                        case "max" -> Op.FMAX;
                        default -> throw InstructionDecoder.unsupported(d.in());
                    };
                    floatMods(d);
                    if (d.has("NaN") || d.has("xorsign")) {
                        throw InstructionDecoder.unsupported(d.in());
                    }
                } else {
                    insn.op = switch (base) {
                        case "div" -> Op.DIV;
                        case "rem" -> Op.REM;
                        case "min" -> Op.MIN;
                        default -> Op.MAX;
                    };
                    if (d.has("relu")) {
                        throw InstructionDecoder.unsupported(d.in());
                    }
                }
                binary(d, ops, t);
            }
            case "abs", "neg", "not", "cnot", "popc", "clz", "brev", "bfind", "rcp", "sqrt", "rsqrt",
                 "sin", "cos", "ex2", "lg2", "tanh" -> unaryOp(base, d, ops);
            case "and", "or", "xor" -> {
                PtxType t = d.type();
                insn.type = t;
                if (t == PtxType.PRED) {
                    insn.op = base.equals("and") ? Op.PRED_AND : base.equals("or") ? Op.PRED_OR : Op.PRED_XOR;
                    insn.d = ops.pred(d.operand(0), null);
                    insn.a = ops.pred(d.operand(1), null);
                    insn.b = ops.pred(d.operand(2), null);
                } else {
                    insn.op = base.equals("and") ? Op.AND : base.equals("or") ? Op.OR : Op.XOR;
                    binary(d, ops, t);
                }
            }
            case "shl", "shr" -> {
                insn.type = d.type();
                insn.op = base.equals("shl") ? Op.SHL : Op.SHR;
                insn.d = ops.dst(d.operand(0));
                insn.a = ops.src(d.operand(1), insn.type);
                insn.b = ops.src(d.operand(2), PtxType.U32);
            }
            case "shf" -> {
                insn.type = PtxType.B32;
                insn.op = Op.SHF;
                insn.mode = (d.has("r") ? Mode.SHF_RIGHT : 0) | (d.has("clamp") ? Mode.SHF_CLAMP : 0);
                ternary(d, ops, PtxType.B32, PtxType.U32);
            }
            case "bfe" -> {
                insn.type = d.type();
                insn.op = Op.BFE;
                insn.d = ops.dst(d.operand(0));
                insn.a = ops.src(d.operand(1), insn.type);
                insn.b = ops.src(d.operand(2), PtxType.U32);
                insn.c = ops.src(d.operand(3), PtxType.U32);
            }
            case "bfi" -> {
                insn.type = d.type();
                insn.op = Op.BFI;
                insn.d = ops.dst(d.operand(0));
                insn.a = ops.src(d.operand(1), insn.type);
                insn.b = ops.src(d.operand(2), insn.type);
                insn.c = ops.src(d.operand(3), PtxType.U32);
                insn.e = ops.src(d.operand(4), PtxType.U32);
            }
            case "dp4a", "dp2a" -> {
                if (d.types().size() != 2) {
                    throw InstructionDecoder.unsupported(d.in());
                }
                insn.op = base.equals("dp4a") ? Op.DP4A : Op.DP2A;
                insn.type = PtxType.S32;
                insn.type2 = d.types().get(0);
                insn.mode = (d.types().get(0).signed() ? 1 : 0) | (d.types().get(1).signed() ? 2 : 0);
                insn.mode2 = d.has("hi") ? 1 : 0;
                ternary(d, ops, PtxType.B32, PtxType.B32);
            }
            case "sad" -> {
                insn.type = d.type();
                insn.op = Op.SAD;
                ternary(d, ops, insn.type, insn.type);
            }
            case "mul24", "mad24" -> {
                PtxType t = d.type();
                if (t.size() != 4 || d.has("sat")) {
                    throw InstructionDecoder.unsupported(d.in());
                }
                insn.type = t;
                insn.op = Op.MUL24;
                insn.mode = d.has("hi") ? 1 : 0;
                if (base.equals("mad24")) {
                    ternary(d, ops, t, t);
                } else {
                    binary(d, ops, t);
                }
            }
            case "prmt" -> {
                insn.mode = 0;
                if (d.mods().size() == 1) {
                    insn.mode = switch (d.mods().get(0)) {
                        case "f4e" -> 1;
                        case "b4e" -> 2;
                        case "rc8" -> 3;
                        case "ecl" -> 4;
                        case "ecr" -> 5;
                        case "rc16" -> 6;
                        default -> throw InstructionDecoder.unsupported(d.in());
                    };
                } else if (d.mods().size() > 1) {
                    throw InstructionDecoder.unsupported(d.in());
                }
                insn.type = PtxType.B32;
                insn.op = Op.PRMT;
                ternary(d, ops, PtxType.B32, PtxType.B32);
            }
            case "lop3" -> {
                insn.type = PtxType.B32;
                insn.op = Op.LOP3;
                insn.d = ops.dst(d.operand(0));
                insn.a = ops.src(d.operand(1), PtxType.B32);
                insn.b = ops.src(d.operand(2), PtxType.B32);
                insn.c = ops.src(d.operand(3), PtxType.B32);
                if (!(d.operand(4) instanceof PtxOperand.Imm lut)) {
                    throw ops.error("lop3 needs a literal lookup table");
                }
                insn.mode = (int) lut.value() & 0xFF;
            }
            case "copysign" -> {
                insn.type = d.type();
                insn.op = Op.COPYSIGN;
                binary(d, ops, insn.type);
            }
            case "testp" -> {
                insn.type = d.type();
                insn.op = Op.TESTP;
                insn.mode = switch (d.mods().get(0)) {
                    case "finite" -> Mode.T_FINITE;
                    case "infinite" -> Mode.T_INFINITE;
                    case "number" -> Mode.T_NUMBER;
                    case "notanumber" -> Mode.T_NAN;
                    case "normal" -> Mode.T_NORMAL;
                    case "subnormal" -> Mode.T_SUBNORMAL;
                    default -> throw InstructionDecoder.unsupported(d.in());
                };
                insn.d = ops.pred(d.operand(0), null);
                insn.a = ops.src(d.operand(1), insn.type);
            }
            case "setp", "set" -> CompareDecoder.compare(base, d, ops);
            case "selp" -> {
                insn.type = d.type();
                insn.op = Op.SELP;
                insn.d = ops.dst(d.operand(0));
                insn.a = ops.src(d.operand(1), insn.type);
                insn.b = ops.src(d.operand(2), insn.type);
                boolean[] neg = new boolean[1];
                insn.c = ops.pred(d.operand(3), neg);
                if (neg[0]) {
                    int t = insn.a;
                    insn.a = insn.b;
                    insn.b = t;
                }
            }
            case "cvt" -> CompareDecoder.convert(d, ops);
            case "shfl", "vote", "activemask", "match", "redux" -> WarpDecoder.decode(base, d, ops);
            default -> {
                return false;
            }
        }
        if (o.isEmpty() && insn.op != Op.NOP) {
            throw ops.error(d.in().opcode() + " needs operands");
        }
        return true;
    }

    static PtxType wide(PtxType t) {
        return switch (t) {
            case S16 -> PtxType.S32;
            case U16, B16 -> PtxType.U32;
            case S32 -> PtxType.S64;
            default -> PtxType.U64;
        };
    }

    private static void mov(Decoded d, OperandResolver ops) throws PtxSyntaxException {
        Insn insn = d.insn();
        PtxType t = d.type();
        insn.type = t;
        PtxOperand dst = d.operand(0);
        PtxOperand src = d.operand(1);
        if (t == PtxType.PRED) {
            insn.op = Op.PRED_MOV;
            insn.d = ops.pred(dst, null);
            if (src instanceof PtxOperand.Imm imm) {
                insn.op = Op.PRED_MOV;
                insn.a = -1;
                insn.mode = imm.value() != 0 ? 1 : 0;
            } else {
                insn.a = ops.pred(src, null);
            }
            return;
        }
        if (dst instanceof PtxOperand.Vec v) {
            insn.op = Op.MOV_UNPACK;
            insn.vec = registers(v, ops, true, t);
            insn.a = ops.src(src, t);
            insn.size = t.size() / v.items().size();
            return;
        }
        insn.d = ops.dst(dst);
        if (src instanceof PtxOperand.Vec v) {
            insn.op = Op.MOV_PACK;
            insn.vec = registers(v, ops, false, t);
            insn.size = t.size() / v.items().size();
            return;
        }
        if (src instanceof PtxOperand.Reg r && SpecialRegister.parse(r.name()) >= 0
                && SpecialRegister.dynamic(SpecialRegister.parse(r.name()))) {
            insn.op = Op.MOV_DYNAMIC_SREG;
            insn.mode = SpecialRegister.parse(r.name());
            return;
        }
        insn.op = Op.MOV;
        insn.a = ops.src(src, t);
    }

    static int[] registers(PtxOperand.Vec v, OperandResolver ops, boolean dst, PtxType t) throws PtxSyntaxException {
        int[] out = new int[v.items().size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = dst ? ops.dst(v.items().get(i)) : ops.src(v.items().get(i), t);
        }
        return out;
    }

    private static void unaryOp(String base, Decoded d, OperandResolver ops) throws PtxSyntaxException {
        Insn insn = d.insn();
        PtxType t = d.type();
        insn.type = t;
        if (t == PtxType.PRED && (base.equals("not"))) {
            insn.op = Op.PRED_NOT;
            insn.d = ops.pred(d.operand(0), null);
            insn.a = ops.pred(d.operand(1), null);
            return;
        }
        insn.op = switch (base) {
            case "abs" -> t.isFloat() ? Op.FABS : Op.ABS;
            case "neg" -> t.isFloat() ? Op.FNEG : Op.NEG;
            case "not" -> Op.NOT;
            case "cnot" -> Op.CNOT;
            case "popc" -> Op.POPC;
            case "clz" -> Op.CLZ;
            case "brev" -> Op.BREV;
            case "bfind" -> Op.BFIND;
            case "rcp" -> Op.FRCP;
            case "sqrt" -> Op.FSQRT;
            case "rsqrt" -> Op.FRSQRT;
            case "sin" -> Op.FSIN;
            case "cos" -> Op.FCOS;
            case "ex2" -> Op.FEX2;
            case "lg2" -> Op.FLG2;
            default -> Op.FTANH;
        };
        if (insn.op >= Op.FADD && insn.op <= Op.TESTP && !t.isFloat()) {
            throw InstructionDecoder.unsupported(d.in());
        }
        if (t.isFloat()) {
            floatMods(d);
        }
        if (insn.op == Op.BFIND && d.has("shiftamt")) {
            insn.mode = 1;
        }
        insn.d = ops.dst(d.operand(0));
        insn.a = ops.src(d.operand(1), t);
    }

    /** Rounding, ftz and sat of float instructions. */
    static void floatMods(Decoded d) {
        Insn insn = d.insn();
        int r = d.rounding();
        insn.mode = r < 0 ? Mode.RN : r;
        if (d.has("ftz")) {
            insn.flags |= Insn.FTZ;
        }
        if (d.has("sat")) {
            insn.flags |= Insn.SAT;
        }
    }

    static void binary(Decoded d, OperandResolver ops, PtxType t) throws PtxSyntaxException {
        Insn insn = d.insn();
        insn.d = ops.dst(d.operand(0));
        insn.a = ops.src(d.operand(1), t);
        insn.b = ops.src(d.operand(2), t);
    }

    private static void ternary(Decoded d, OperandResolver ops, PtxType t, PtxType tc) throws PtxSyntaxException {
        Insn insn = d.insn();
        insn.d = ops.dst(d.operand(0));
        insn.a = ops.src(d.operand(1), t);
        insn.b = ops.src(d.operand(2), t);
        insn.c = ops.src(d.operand(3), tc);
    }
}
