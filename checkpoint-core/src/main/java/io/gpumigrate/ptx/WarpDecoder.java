package io.gpumigrate.ptx;

import io.gpumigrate.ptx.InstructionDecoder.Decoded;

/** Decodes the warp-level instructions: shfl, vote, activemask, match, redux. */
final class WarpDecoder {

    private WarpDecoder() {
    }

    static void decode(String base, Decoded d, OperandResolver ops) throws PtxSyntaxException {
        Insn insn = d.insn();
        insn.type = d.types().isEmpty() ? PtxType.B32 : d.type();
        switch (base) {
            case "shfl" -> {
                insn.op = Op.SHFL;
                insn.mode = d.has("up") ? Mode.SHFL_UP : d.has("down") ? Mode.SHFL_DOWN
                        : d.has("bfly") ? Mode.SHFL_BFLY : Mode.SHFL_IDX;
                destWithPred(d.operand(0), insn, ops);
                insn.a = ops.src(d.operand(1), PtxType.B32);
                insn.b = ops.src(d.operand(2), PtxType.U32);
                insn.c = ops.src(d.operand(3), PtxType.U32);
                insn.e = d.has("sync") ? ops.src(d.operand(4), PtxType.U32) : -1;
                insn.flags |= d.has("sync") ? Insn.MEMBER_MASK : 0;
            }
            case "vote" -> {
                insn.op = Op.VOTE;
                insn.mode = d.has("all") ? Mode.VOTE_ALL : d.has("any") ? Mode.VOTE_ANY
                        : d.has("uni") ? Mode.VOTE_UNI : Mode.VOTE_BALLOT;
                insn.d = insn.mode == Mode.VOTE_BALLOT ? ops.dst(d.operand(0)) : ops.pred(d.operand(0), null);
                boolean[] neg = new boolean[1];
                insn.a = ops.pred(d.operand(1), neg);
                insn.flags |= neg[0] ? Insn.NEGATE_C : 0;
                insn.e = d.has("sync") ? ops.src(d.operand(2), PtxType.U32) : -1;
                insn.flags |= d.has("sync") ? Insn.MEMBER_MASK : 0;
            }
            case "activemask" -> {
                insn.op = Op.ACTIVEMASK;
                insn.d = ops.dst(d.operand(0));
            }
            case "match" -> {
                insn.op = Op.MATCH;
                insn.mode = d.has("all") ? Mode.MATCH_ALL : Mode.MATCH_ANY;
                destWithPred(d.operand(0), insn, ops);
                insn.a = ops.src(d.operand(1), insn.type);
                insn.e = ops.src(d.operand(2), PtxType.U32);
                insn.flags |= Insn.MEMBER_MASK;
            }
            case "redux" -> {
                insn.op = Op.REDUX;
                insn.mode = -1;
                for (String m : d.mods()) {
                    int a = Mode.atomic(m);
                    if (a >= 0) {
                        insn.mode = a;
                    }
                }
                if (insn.mode < 0 || insn.mode == Mode.A_EXCH || insn.mode >= Mode.A_CAS && insn.mode < Mode.A_AND
                        || insn.mode >= Mode.A_INC || insn.type.isFloat()) {
                    throw InstructionDecoder.unsupported(d.in());
                }
                insn.d = ops.dst(d.operand(0));
                insn.a = ops.src(d.operand(1), insn.type);
                insn.e = ops.src(d.operand(2), PtxType.U32);
                insn.flags |= Insn.MEMBER_MASK;
            }
            default -> throw InstructionDecoder.unsupported(d.in());
        }
    }

    private static void destWithPred(PtxOperand o, Insn insn, OperandResolver ops) throws PtxSyntaxException {
        if (o instanceof PtxOperand.Pair p) {
            insn.d = ops.dst(p.first());
            insn.d2 = ops.pred(p.second(), null);
            insn.flags |= Insn.HAS_D2;
        } else {
            insn.d = ops.dst(o);
        }
    }
}
