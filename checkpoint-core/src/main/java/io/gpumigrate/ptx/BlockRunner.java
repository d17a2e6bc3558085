package io.gpumigrate.ptx;

import java.util.Arrays;

/**
 * Runs blocks of one launch on one worker thread: sets up the block's warps and shared
 * memory, then interleaves its warps, each for a slice of instructions or until none of its
 * lanes can run (they wait at a barrier, see {@link BlockBarriers}, or have exited). Within a
 * warp, diverged groups are scheduled by {@link Warp}; a group that spins (branches backward
 * {@link #SPIN_LIMIT} times while others wait) hands over to the next one. Confined to its worker.
 */
final class BlockRunner {

    /** Instructions a warp runs before the next warp gets a turn (lets spin-waiting warps make progress). */
    private static final int SLICE = 1 << 16;
    /** Backward branches a diverged group takes before the warp's next group gets a turn. */
    private static final int SPIN_LIMIT = 32;

    private final DecodedKernel kernel;
    private final LaunchShape shape;
    private final MemoryPort mem;
    private final FaultContext where = new FaultContext();
    private final Warp[] warps;
    private final int threads;
    private final int workerIndex;
    private final BlockBarriers barriers;
    long instructions;

    BlockRunner(DecodedKernel kernel, LaunchShape shape, MemoryPort mem, int workerIndex) {
        this.kernel = kernel;
        this.shape = shape;
        this.mem = mem;
        this.workerIndex = workerIndex;
        this.threads = shape.blockX() * shape.blockY() * shape.blockZ();
        int count = (threads + 31) / 32;
        warps = new Warp[count];
        mem.sharedSize = kernel.staticShared() == 0 && shape.dynamicShared() == 0 ? 0
                : (int) (((kernel.staticShared() + 15L) & -16L) + shape.dynamicShared());
        mem.shared = new byte[mem.sharedSize];
        mem.localBytes = kernel.localBytes();
        mem.context = where;
        where.kernel = kernel.name();
        where.ntidX = shape.blockX();
        where.ntidY = shape.blockY();
        long[] constants = kernel.constants();
        for (int w = 0; w < count; w++) {
            Warp warp = new Warp();
            int lanes = Math.min(32, threads - w * 32);
            warp.reset(w, lanes == 32 ? -1 : (1 << lanes) - 1, kernel.slots(), kernel.predicates());
            for (int s = 0; s < constants.length; s++) {
                Arrays.fill(warp.r, s << 5, (s << 5) + 32, constants[s]);
            }
            warp.local = new byte[kernel.localBytes() * 32];
            warps[w] = warp;
        }
        barriers = new BlockBarriers(warps, kernel.name(), where);
    }

    void runBlock(int bx, int by, int bz) {
        where.blockX = bx;
        where.blockY = by;
        where.blockZ = bz;
        Arrays.fill(mem.shared, (byte) 0);
        int firstRegister = kernel.constants().length << 5;
        for (Warp w : warps) {
            w.reset(w.id, w.valid, kernel.slots(), kernel.predicates());
            // registers start at zero in every block, so runs are reproducible whatever the worker
            Arrays.fill(w.r, firstRegister, kernel.slots() << 5, 0L);
            fillSpecials(w, bx, by, bz);
        }
        barriers.reset(threads);
        while (true) {
            boolean anyLive = false;
            for (Warp w : warps) {
                if (w.active != 0) {
                    execute(w);
                }
                anyLive |= !w.finished();
            }
            if (!anyLive) {
                return;
            }
            boolean anyRunnable = false;
            for (Warp w : warps) {
                anyRunnable |= w.active != 0;
            }
            if (!anyRunnable) {
                barriers.resolveStall();
            }
        }
    }

    private void execute(Warp w) {
        mem.local = w.local;
        where.warp = w.id;
        final Insn[] code = kernel.code();
        final long[] r = w.r;
        final int[] p = w.p;
        int pc = w.pc;
        int active = w.active;
        long count = 0;
        int budget = SLICE;
        while (budget-- > 0) {
            Insn in = code[pc];
            int m = in.guard < 0 ? active : in.guardNegated ? active & ~p[in.guard] : active & p[in.guard];
            count += Integer.bitCount(m);
            int op = in.op;
            if (op < Op.BRA) {
                if (m != 0) {
                    Interpreter.exec(in, w, m, mem);
                }
                pc++;
            } else if (op == Op.BRA) {
                if (m == active) {
                    if (in.target <= pc && w.diverged && ++w.spins >= SPIN_LIMIT) {
                        w.active = active;
                        w.rotate(in.target);
                        pc = w.pc;
                        active = w.active;
                        continue;
                    }
                    pc = in.target;
                } else if (m == 0) {
                    pc++;
                } else {
                    w.active = active;
                    w.diverge(m, in.target, pc + 1);
                    pc = w.pc;
                    active = w.active;
                    continue;
                }
            } else if (m == 0) {
                pc++;
            } else if (op >= Op.SHFL) {
                w.active = active;
                boolean ran = collective(w, in, m, pc);
                active = w.active;
                if (ran) {
                    pc++;
                } else {
                    pc = w.pc;
                    if (active == 0) {
                        break;
                    }
                    continue;
                }
            } else if (op == Op.EXIT) {
                w.exited |= m;
                barriers.live -= Integer.bitCount(m);
                active &= ~m;
                pc++;
                if (active == 0) {
                    w.active = 0;
                    w.reschedule(0);
                    pc = w.pc;
                    active = w.active;
                    if (active == 0) {
                        break;
                    }
                    continue;
                }
            } else if (op == Op.BAR || op == Op.BAR_RED) {
                barriers.arrive(w, in, m, pc, mem);
                w.active = active & ~w.waiting;
                w.reschedule(pc + 1);
                pc = w.pc;
                active = w.active;
                if (active == 0) {
                    break;
                }
                continue;
            } else if (op == Op.CALL || op == Op.RET) {
                if (op == Op.CALL) {
                    CallOps.call(in, w, m, mem, kernel, pc);
                } else {
                    CallOps.ret(in, w, m, mem, kernel);
                }
                w.active = active & ~m;
                w.reschedule(pc + 1);
                pc = w.pc;
                active = w.active;
                if (active == 0) {
                    break;
                }
                continue;
            } else {
                Interpreter.exec(in, w, m, mem);
                pc++;
            }
            if (pc >= w.yieldPc) {
                w.active = active;
                w.reschedule(pc);
                pc = w.pc;
                active = w.active;
            }
        }
        w.pc = pc;
        w.active = active;
        instructions += count;
    }

    /**
     * Runs a warp instruction for lanes {@code m} of the running group ({@code w.active}). One
     * with a member mask first gathers the mask's lanes ({@link #converge}); returns false,
     * with another group picked, when the running group has to wait for them instead.
     */
    private boolean collective(Warp w, Insn in, int m, int pc) {
        if ((in.flags & Insn.MEMBER_MASK) != 0) {
            int need = (int) w.r[in.e + Integer.numberOfTrailingZeros(m)] & w.valid & ~w.exited;
            if ((w.active & need) != need) {
                if (!converge(w, need, pc)) {
                    return false;
                }
                int[] p = w.p;
                int active = w.active;
                m = in.guard < 0 ? active : in.guardNegated ? active & ~p[in.guard] : active & p[in.guard];
            }
        }
        Interpreter.exec(in, w, m, mem);
        return true;
    }

    /**
     * The running group reached a warp collective at {@code pc} without every lane of its
     * member mask {@code need}. Joins the lanes already waiting there; if that completes the
     * set, or no other lane of the warp could still come, returns true with the joined group
     * running. Otherwise parks the group there and picks another one, returning false.
     */
    private static boolean converge(Warp w, int need, int pc) {
        int here = w.lanesAt(w.syncWaiting, pc);
        int others = w.runnable() & ~w.active;
        if (((w.active | here) & need) == need || others == 0) {
            w.syncWaiting &= ~here;
            w.active |= here;
            return true;
        }
        for (int mm = w.active; mm != 0; mm &= mm - 1) {
            w.lanePc[Integer.numberOfTrailingZeros(mm)] = pc;
        }
        w.syncWaiting |= w.active;
        w.active = 0;
        w.reschedule(pc);
        return false;
    }

    private void fillSpecials(Warp w, int bx, int by, int bz) {
        int[] slots = kernel.specialSlots();
        int[] codes = kernel.specialCodes();
        long[] r = w.r;
        int nx = shape.blockX();
        int ny = shape.blockY();
        for (int s = 0; s < slots.length; s++) {
            int base = slots[s];
            int code = codes[s];
            for (int lane = 0; lane < 32; lane++) {
                int linear = w.id * 32 + lane;
                long v = switch (code) {
                    case SpecialRegister.TID_X -> linear % nx;
                    case SpecialRegister.TID_Y -> (linear / nx) % ny;
                    case SpecialRegister.TID_Z -> linear / (nx * ny);
                    case SpecialRegister.NTID_X -> nx;
                    case SpecialRegister.NTID_Y -> ny;
                    case SpecialRegister.NTID_Z -> shape.blockZ();
                    case SpecialRegister.CTAID_X -> bx;
                    case SpecialRegister.CTAID_Y -> by;
                    case SpecialRegister.CTAID_Z -> bz;
                    case SpecialRegister.NCTAID_X -> shape.gridX();
                    case SpecialRegister.NCTAID_Y -> shape.gridY();
                    case SpecialRegister.NCTAID_Z -> shape.gridZ();
                    case SpecialRegister.LANEID -> lane;
                    case SpecialRegister.WARPID -> w.id;
                    case SpecialRegister.NWARPID -> warps.length;
                    case SpecialRegister.SMID -> workerIndex % 8;
                    case SpecialRegister.NSMID -> 8;
                    case SpecialRegister.GRIDID -> 1;
                    case SpecialRegister.LANEMASK_EQ -> 1L << lane;
                    case SpecialRegister.LANEMASK_LT -> (1L << lane) - 1;
                    case SpecialRegister.LANEMASK_LE -> (2L << lane) - 1;
                    case SpecialRegister.LANEMASK_GT -> 0xFFFF_FFFFL & ~((2L << lane) - 1);
                    case SpecialRegister.LANEMASK_GE -> 0xFFFF_FFFFL & ~((1L << lane) - 1);
                    case SpecialRegister.DYNAMIC_SMEM_SIZE -> shape.dynamicShared();
                    case SpecialRegister.TOTAL_SMEM_SIZE -> mem.sharedSize;
                    default -> 32;
                };
                r[base + lane] = v;
            }
        }
    }
}
