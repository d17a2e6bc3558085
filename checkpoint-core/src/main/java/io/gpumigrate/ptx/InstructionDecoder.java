package io.gpumigrate.ptx;

import java.util.ArrayList;
import java.util.List;

/**
 * Decodes one PTX instruction into an {@link Insn}: the opcode and its modifiers become
 * {@link Op}, type, mode and flags; operands become register bases. An instruction outside
 * the supported set fails with its name and line. Not thread-safe.
 */
final class InstructionDecoder {

    private final CodeBuilder builder;
    private final OperandResolver ops;
    /** Label scopes of the enclosing blocks, innermost first: labels inside {@code { }} are local to it. */
    private final java.util.Deque<String> labelScopes;

    InstructionDecoder(CodeBuilder builder, java.util.Deque<String> labelScopes) {
        this.builder = builder;
        this.ops = new OperandResolver(builder);
        this.labelScopes = labelScopes;
    }

    /** The keys a reference to {@code label} may resolve to, innermost scope first. */
    String[] labelKeys(String label) {
        return labelScopes.stream().map(scope -> scope + label).toArray(String[]::new);
    }

    /** The return label of a function compiled out of line: its {@code ret} returns through the call stack. */
    static final String OUT_OF_LINE = "(out of line)";

    /** {@code ret}: leaves the kernel, or branches to the inlined call's continuation. */
    void ret(PtxStatement.Instr in, Scope scope, String returnLabel) throws PtxSyntaxException {
        Insn insn = start(in, scope);
        if (returnLabel == null) {
            insn.op = Op.EXIT;
        } else if (returnLabel.equals(OUT_OF_LINE)) {
            insn.op = Op.RET;
            insn.e = builder.framePointer();
        } else {
            insn.op = Op.BRA;
            builder.branchTo(insn, returnLabel);
        }
        builder.emit(insn);
    }

    void decode(PtxStatement.Instr in, Scope scope) throws PtxSyntaxException {
        Insn insn = start(in, scope);
        String[] parts = in.opcode().split("\\.");
        String base = parts[0];
        List<String> mods = new ArrayList<>();
        List<PtxType> types = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            PtxType t = PtxType.parse(parts[i]);
            if (t != null) {
                types.add(t);
            } else {
                mods.add(parts[i]);
            }
        }
        Decoded d = new Decoded(in, insn, mods, types, in.operands());
        boolean handled = ArithmeticDecoder.decode(base, d, ops) || MemoryDecoder.decode(base, d, ops)
                || control(base, d);
        if (!handled) {
            throw unsupported(in);
        }
        if (insn.type == null) {
            insn.type = types.isEmpty() ? PtxType.B32 : types.get(types.size() - 1);
        }
        if (insn.type2 == null) {
            insn.type2 = insn.type;
        }
        if (insn.type.isHalf() && !HALF_OPS.contains(insn.op) || insn.type == PtxType.B128
                && !(insn.op == Op.LD || insn.op == Op.ST || insn.op == Op.MOV)) {
            throw unsupported(in);
        }
        builder.emit(insn);
    }

    /** Operations implemented for half-precision types (f16, bf16, and their x2 pairs). */
    private static final java.util.Set<Integer> HALF_OPS = java.util.Set.of(Op.CVT, Op.LD, Op.ST, Op.MOV, Op.MOV_PACK,
            Op.MOV_UNPACK, Op.SELP, Op.FADD, Op.FSUB, Op.FMUL, Op.FMA, Op.FNEG, Op.FABS, Op.FMIN, Op.FMAX, Op.FEX2,
            Op.FTANH, Op.SETP);

    static PtxSyntaxException unsupported(PtxStatement.Instr in) {
        return new PtxSyntaxException(in.line(), "instruction '" + in.opcode() + "' is not supported by the emulator");
    }

    private Insn start(PtxStatement.Instr in, Scope scope) throws PtxSyntaxException {
        ops.at(scope, in.line());
        Insn insn = new Insn();
        insn.text = in.opcode();
        insn.line = in.line();
        if (in.guard() != null) {
            insn.guard = ops.pred(new PtxOperand.Reg(in.guard()), null);
            insn.guardNegated = in.negated();
        }
        return insn;
    }

    private boolean control(String base, Decoded d) throws PtxSyntaxException {
        Insn insn = d.insn();
        switch (base) {
            case "bra" -> {
                insn.op = Op.BRA;
                if (d.has("uni")) {
                    insn.flags |= Insn.UNIFORM;
                }
                if (!(d.operand(0) instanceof PtxOperand.Sym target)) {
                    throw ops.error("branch target must be a label, found " + d.operand(0));
                }
                builder.branchTo(insn, labelKeys(target.name()));
            }
            case "exit" -> insn.op = Op.EXIT;
            case "trap" -> insn.op = Op.TRAP;
            case "membar", "fence", "nanosleep", "brkpt", "pmevent", "prefetch", "prefetchu", "discard",
                 "griddepcontrol", "applypriority", "createpolicy" -> {
                if (base.equals("createpolicy")) {
                    throw InstructionDecoder.unsupported(d.in());
                }
                insn.op = Op.NOP;
            }
            case "bar", "barrier" -> {
                if (d.has("warp")) {
                    insn.op = Op.WARPSYNC; // bar.warp.sync: a convergence point of the member mask's lanes
                    insn.e = ops.src(d.operand(0), PtxType.U32);
                    insn.flags |= Insn.MEMBER_MASK;
                    return true;
                }
                boolean red = d.has("red");
                int idIndex = red ? 1 : 0;
                int operands = d.operands().size();
                boolean counted = operands > (red ? 3 : 1);
                if (d.has("arrive")) {
                    if (!counted) {
                        throw ops.error(d.in().opcode() + " needs a thread count");
                    }
                    insn.flags |= Insn.ARRIVE;
                }
                if (d.operand(idIndex) instanceof PtxOperand.Imm id) {
                    if (id.value() < 0 || id.value() >= BlockBarriers.COUNT) {
                        throw ops.error("barrier id " + id.value() + " outside 0.." + (BlockBarriers.COUNT - 1));
                    }
                    insn.target = (int) id.value();
                } else {
                    insn.c = ops.src(d.operand(idIndex), PtxType.U32);
                }
                insn.b = counted ? ops.src(d.operand(idIndex + 1), PtxType.U32) : -1;
                insn.op = Op.BAR;
                if (red) {
                    insn.op = Op.BAR_RED;
                    insn.mode = d.has("popc") ? Mode.RED_POPC : d.has("and") ? Mode.VOTE_ALL : Mode.VOTE_ANY;
                    insn.d = insn.mode == Mode.RED_POPC ? ops.dst(d.operand(0)) : ops.pred(d.operand(0), null);
                    boolean[] neg = new boolean[1];
                    insn.a = ops.pred(d.operand(counted ? 3 : 2), neg);
                    insn.flags |= neg[0] ? Insn.NEGATE_C : 0;
                    insn.type = PtxType.U32;
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /** An instruction being decoded: the statement, its modifiers and types in order. */
    record Decoded(PtxStatement.Instr in, Insn insn, List<String> mods, List<PtxType> types,
                   List<PtxOperand> operands) {

        boolean has(String mod) {
            return mods.contains(mod);
        }

        PtxOperand operand(int i) throws PtxSyntaxException {
            if (i >= operands.size()) {
                throw new PtxSyntaxException(in.line(), in.opcode() + " needs at least " + (i + 1) + " operands");
            }
            return operands.get(i);
        }

        PtxType type() throws PtxSyntaxException {
            if (types.isEmpty()) {
                throw new PtxSyntaxException(in.line(), in.opcode() + " has no type");
            }
            return types.get(types.size() - 1);
        }

        /** The first rounding modifier, or -1. */
        int rounding() {
            for (String m : mods) {
                int r = Mode.rounding(m);
                if (r >= 0) {
                    return r;
                }
            }
            return -1;
        }
    }
}
