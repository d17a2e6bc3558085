package io.gpumigrate.ptx;

import io.gpumigrate.ptx.InstructionDecoder.Decoded;

/** Decodes loads, stores, atomics and address-space conversions. */
final class MemoryDecoder {

    private MemoryDecoder() {
    }

    static boolean decode(String base, Decoded d, OperandResolver ops) throws PtxSyntaxException {
        Insn insn = d.insn();
        switch (base) {
            case "ld", "ldu", "st" -> access(base.equals("st"), d, ops);
            case "atom", "red" -> atomic(base.equals("red"), d, ops);
            case "cvta" -> {
                boolean to = d.has("to");
                insn.op = to ? Op.CVTA_FROM_GENERIC : Op.CVTA_TO_GENERIC;
                insn.space = space(d);
                if (insn.space < 0) {
                    throw InstructionDecoder.unsupported(d.in());
                }
                insn.type = d.type();
                insn.d = ops.dst(d.operand(0));
                insn.a = ops.src(d.operand(1), insn.type);
            }
            case "cp" -> copyAsync(d, ops);
            case "isspacep" -> {
                insn.op = Op.ISSPACEP;
                insn.space = space(d);
                insn.type = PtxType.U64;
                insn.d = ops.pred(d.operand(0), null);
                insn.a = ops.src(d.operand(1), PtxType.U64);
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /**
     * cp.async copies global to shared memory; the emulator copies at once, so commit and wait
     * have nothing to do. Bulk (TMA) copies are not supported.
     */
    private static void copyAsync(Decoded d, OperandResolver ops) throws PtxSyntaxException {
        Insn insn = d.insn();
        if (!d.has("async") || d.has("bulk") || d.has("mbarrier")) {
            throw InstructionDecoder.unsupported(d.in());
        }
        if (d.has("commit_group") || d.has("wait_group") || d.has("wait_all")) {
            insn.op = Op.NOP;
            return;
        }
        if (!d.has("shared") || !d.has("global") || d.has("L2::cache_hint")) {
            throw InstructionDecoder.unsupported(d.in());
        }
        insn.op = Op.CP_ASYNC;
        insn.type = PtxType.B32;
        ops.memory(d.operand(0), insn);
        Insn source = new Insn();
        ops.memory(d.operand(1), source);
        insn.c = source.a;
        insn.offset2 = source.offset;
        if (!(d.operand(2) instanceof PtxOperand.Imm size) || (size.value() != 4 && size.value() != 8
                && size.value() != 16)) {
            throw ops.error("cp.async copies 4, 8 or 16 bytes, not " + d.operand(2));
        }
        insn.size = (int) size.value();
        insn.e = d.operands().size() > 3 ? ops.src(d.operand(3), PtxType.U32) : -1;
    }

    private static int space(Decoded d) {
        for (String m : d.mods()) {
            int s = Space.parse(m);
            if (s >= 0) {
                return s;
            }
        }
        return -1;
    }

    private static void access(boolean store, Decoded d, OperandResolver ops) throws PtxSyntaxException {
        Insn insn = d.insn();
        insn.op = store ? Op.ST : Op.LD;
        PtxType t = d.type();
        insn.type = t;
        insn.size = t.size();
        int vector = 1;
        for (String m : d.mods()) {
            switch (m) {
                case "v2" -> vector = 2;
                case "v4" -> vector = 4;
                case "v8" -> vector = 8;
                case "global", "shared", "shared::cta", "local", "const", "param", "param::entry", "param::func",
                     "nc", "ca", "cg", "cs", "lu", "cv", "wb", "wt", "volatile", "relaxed", "acquire", "release",
                     "weak", "gpu", "sys", "cta", "L1::evict_normal", "L1::evict_unchanged", "L1::evict_first",
                     "L1::evict_last", "L1::no_allocate", "L2::64B", "L2::128B", "L2::256B",
                     "L2::evict_normal", "L2::evict_first", "L2::evict_last" -> { }
                default -> throw InstructionDecoder.unsupported(d.in());
            }
        }
        if (t == PtxType.PRED || t == PtxType.B128) {
            throw InstructionDecoder.unsupported(d.in());
        }
        int declared = space(d);
        PtxOperand addr = d.operand(store ? 0 : 1);
        PtxOperand value = d.operand(store ? 1 : 0);
        if (d.operands().size() > 2) {
            throw ops.error(d.in().opcode() + " with a cache-policy operand is not supported");
        }
        int symbolSpace = ops.memory(addr, insn);
        insn.space = resolveSpace(declared, symbolSpace, store, ops, d);
        if (insn.space == Space.KPARAM && !store && vector == 1 && symbolSpace == Space.KPARAM) {
            insn.op = Op.LD_KPARAM;
        }
        if (vector > 1 || value instanceof PtxOperand.Vec) {
            if (!(value instanceof PtxOperand.Vec v) || v.items().size() != vector) {
                throw ops.error(d.in().opcode() + " needs a vector of " + vector + " registers");
            }
            insn.vec = ArithmeticDecoder.registers(v, ops, !store, t);
            insn.op = store ? Op.ST : Op.LD;
        } else {
            insn.vec = new int[] {store ? ops.src(value, t) : ops.dst(value)};
        }
    }

    /** The space an access really uses: the declared one, refined by the symbol it names. */
    private static int resolveSpace(int declared, int symbolSpace, boolean store, OperandResolver ops, Decoded d)
            throws PtxSyntaxException {
        if (declared == Space.KPARAM) {
            if (symbolSpace == Space.LOCAL || store) {
                return Space.LOCAL; // a call's .param: lives in the thread's frame
            }
            return Space.KPARAM;
        }
        if (declared < 0) {
            return symbolSpace >= 0 ? symbolSpace : Space.GENERIC;
        }
        if (symbolSpace >= 0 && symbolSpace != declared
                && !(declared == Space.CONST && symbolSpace == Space.GLOBAL)
                && !(declared == Space.GLOBAL && symbolSpace == Space.GLOBAL)) {
            throw ops.error(d.in().opcode() + " names a variable of another state space");
        }
        return declared;
    }

    private static void atomic(boolean reduction, Decoded d, OperandResolver ops) throws PtxSyntaxException {
        Insn insn = d.insn();
        insn.op = Op.ATOM;
        PtxType t = d.type();
        insn.type = t;
        insn.size = t.size();
        insn.mode = -1;
        for (String m : d.mods()) {
            int a = Mode.atomic(m);
            if (a >= 0) {
                insn.mode = a;
            } else if (!(Space.parse(m) >= 0 || m.equals("relaxed") || m.equals("acquire") || m.equals("release")
                    || m.equals("acq_rel") || m.equals("gpu") || m.equals("sys") || m.equals("cta")
                    || m.equals("noftz"))) {
                throw InstructionDecoder.unsupported(d.in());
            }
        }
        if (insn.mode < 0 || !(t.size() == 4 || t.size() == 8) || t == PtxType.F16X2) {
            throw InstructionDecoder.unsupported(d.in());
        }
        if (t.isFloat() && insn.mode != Mode.A_ADD && insn.mode != Mode.A_EXCH) {
            throw InstructionDecoder.unsupported(d.in());
        }
        if ((insn.mode == Mode.A_INC || insn.mode == Mode.A_DEC) && t != PtxType.U32) {
            throw InstructionDecoder.unsupported(d.in());
        }
        int declared = space(d);
        if (declared != -1 && declared != Space.GLOBAL && declared != Space.SHARED) {
            throw InstructionDecoder.unsupported(d.in());
        }
        int k = 0;
        insn.d = reduction ? -1 : ops.dst(d.operand(k++));
        int symbolSpace = ops.memory(d.operand(k++), insn);
        insn.space = declared >= 0 ? declared : symbolSpace >= 0 ? symbolSpace : Space.GENERIC;
        if (insn.mode == Mode.A_CAS) {
            insn.c = ops.src(d.operand(k), t);      // compare
            insn.b = ops.src(d.operand(k + 1), t);  // new value
        } else {
            insn.b = ops.src(d.operand(k), t);
        }
    }
}
