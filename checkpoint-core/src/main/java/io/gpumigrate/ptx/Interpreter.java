package io.gpumigrate.ptx;

import io.gpumigrate.device.CuResult;

/** Executes one non-control instruction for the lanes of a mask, dispatching by family. */
final class Interpreter {

    private static final long START_NANOS = System.nanoTime();
    private static final long START_EPOCH_NANOS = System.currentTimeMillis() * 1_000_000L;

    private Interpreter() {
    }

    static void exec(Insn in, Warp w, int m, MemoryPort mem) {
        final int op = in.op;
        final long[] r = w.r;
        if (op >= Op.ADD && op <= Op.DP2A) {
            IntegerOps.exec(in, r, m);
        } else if (op >= Op.FADD && op <= Op.COPYSIGN) {
            FloatOps.exec(in, r, m);
        } else if (op >= Op.SETP && op <= Op.PRED_MOV || op == Op.TESTP || op == Op.SELP) {
            CompareOps.exec(in, r, w.p, m);
        } else {
            switch (op) {
                case Op.MOV -> {
                    final int d = in.d, a = in.a;
                    for (int mm = m; mm != 0; mm &= mm - 1) {
                        int l = Integer.numberOfTrailingZeros(mm);
                        r[d + l] = r[a + l];
                    }
                }
                case Op.LD -> MemoryOps.load(in, r, m, mem);
                case Op.ST -> MemoryOps.store(in, r, m, mem);
                case Op.LD_KPARAM -> MemoryOps.loadParam(in, r, m, mem);
                case Op.ATOM -> MemoryOps.atomic(in, r, m, mem);
                case Op.CVT -> ConvertOps.exec(in, r, m);
                case Op.CVTA_TO_GENERIC, Op.CVTA_FROM_GENERIC -> MemoryOps.cvta(in, r, m);
                case Op.ISSPACEP -> MemoryOps.isspacep(in, r, w.p, m);
                case Op.CP_ASYNC -> MemoryOps.copyAsync(in, r, m, mem);
                case Op.MOV_PACK -> pack(in, r, m);
                case Op.MOV_UNPACK -> unpack(in, r, m);
                case Op.MOV_DYNAMIC_SREG -> clock(in, r, m);
                case Op.SHFL, Op.VOTE, Op.ACTIVEMASK, Op.MATCH, Op.REDUX -> WarpOps.exec(in, w, m);
                case Op.NOP, Op.WARPSYNC -> { }
                case Op.ASSERTFAIL -> throw DeviceRuntime.assertFail(in, r, m, mem);
                case Op.VPRINTF -> DeviceRuntime.printf(in, r, m, mem);
                case Op.TRAP -> throw mem.fault(CuResult.LAUNCH_FAILED, "the thread executed trap (__trap())",
                        Integer.numberOfTrailingZeros(m), in);
                default -> throw mem.fault(CuResult.ILLEGAL_INSTRUCTION, "no implementation of operation " + op,
                        Integer.numberOfTrailingZeros(m), in);
            }
        }
    }

    private static void pack(Insn in, long[] r, int m) {
        int bits = in.size * 8;
        long mask = bits == 64 ? -1 : (1L << bits) - 1;
        for (int mm = m; mm != 0; mm &= mm - 1) {
            int l = Integer.numberOfTrailingZeros(mm);
            long v = 0;
            for (int k = 0; k < in.vec.length; k++) {
                v |= (r[in.vec[k] + l] & mask) << (bits * k);
            }
            r[in.d + l] = v;
        }
    }

    private static void unpack(Insn in, long[] r, int m) {
        int bits = in.size * 8;
        long mask = bits == 64 ? -1 : (1L << bits) - 1;
        for (int mm = m; mm != 0; mm &= mm - 1) {
            int l = Integer.numberOfTrailingZeros(mm);
            long v = r[in.a + l];
            for (int k = 0; k < in.vec.length; k++) {
                r[in.vec[k] + l] = (v >>> (bits * k)) & mask;
            }
        }
    }

    private static void clock(Insn in, long[] r, int m) {
        long elapsed = System.nanoTime() - START_NANOS;
        long v = switch (in.mode) {
            case SpecialRegister.CLOCK -> (elapsed * 2) & 0xFFFF_FFFFL;
            case SpecialRegister.CLOCK64 -> elapsed * 2;
            case SpecialRegister.GLOBALTIMER_LO -> (START_EPOCH_NANOS + elapsed) & 0xFFFF_FFFFL;
            case SpecialRegister.GLOBALTIMER_HI -> (START_EPOCH_NANOS + elapsed) >>> 32;
            default -> START_EPOCH_NANOS + elapsed;
        };
        for (int mm = m; mm != 0; mm &= mm - 1) {
            r[in.d + Integer.numberOfTrailingZeros(mm)] = v;
        }
    }
}
