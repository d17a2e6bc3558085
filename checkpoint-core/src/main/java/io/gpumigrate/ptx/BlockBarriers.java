package io.gpumigrate.ptx;

import io.gpumigrate.device.CuResult;

import java.util.Arrays;

/**
 * The 16 named barriers of a block ({@code bar.sync}, {@code bar.arrive}, {@code bar.red},
 * {@code barrier.*}). Threads are counted one by one, as under independent thread scheduling:
 * a barrier completes when as many threads have arrived as its count says, or, without a
 * count, as many as the block has threads that have not exited. {@code sync} and {@code red}
 * threads wait for the completion; {@code arrive} threads only count. A completed barrier
 * releases its waiting lanes (to their saved PCs), delivers {@code bar.red} results, and
 * starts over.
 *
 * <p>Confined to the worker running the block.
 */
final class BlockBarriers {

    static final int COUNT = 16;

    private final Warp[] warps;
    private final String kernel;
    private final FaultContext where;
    private final int[] arrived = new int[COUNT];
    /** The count the barrier's arrivals gave, or 0 for "every thread that has not exited". */
    private final int[] expected = new int[COUNT];
    /** Lanes of each warp waiting at each barrier: {@code waiters[barrier][warp]}. */
    private final int[][] waiters;
    private final int[] popc = new int[COUNT];
    private final int[] anyFalse = new int[COUNT];
    private final int[] anyTrue = new int[COUNT];
    /** Threads of the block that have not exited. */
    int live;

    BlockBarriers(Warp[] warps, String kernel, FaultContext where) {
        this.warps = warps;
        this.kernel = kernel;
        this.where = where;
        this.waiters = new int[COUNT][warps.length];
    }

    /** Forgets every arrival, for a new block of {@code threads} threads. */
    void reset(int threads) {
        Arrays.fill(arrived, 0);
        Arrays.fill(expected, 0);
        Arrays.fill(popc, 0);
        Arrays.fill(anyFalse, 0);
        Arrays.fill(anyTrue, 0);
        for (int[] w : waiters) {
            Arrays.fill(w, 0);
        }
        live = threads;
    }

    /**
     * Lanes {@code m} of warp {@code w}, running {@code in} at {@code pc}, arrive at its
     * barrier. Waiting lanes are parked at {@code pc + 1} (outside the warp's running group,
     * which the caller reschedules). Returns whether the barrier completed.
     */
    boolean arrive(Warp w, Insn in, int m, int pc, MemoryPort mem) {
        int b = (int) (in.c < 0 ? in.target : w.r[in.c + Integer.numberOfTrailingZeros(m)]);
        if (b < 0 || b >= COUNT) {
            throw mem.fault(CuResult.ILLEGAL_INSTRUCTION, "barrier " + b + " outside 0.." + (COUNT - 1),
                    Integer.numberOfTrailingZeros(m), in);
        }
        if (in.b >= 0) {
            int count = (int) w.r[in.b + Integer.numberOfTrailingZeros(m)];
            if (count <= 0 || count > warps.length * 32 || (count & 31) != 0) {
                throw mem.fault(CuResult.ILLEGAL_INSTRUCTION, "barrier thread count " + count
                        + " is not a positive multiple of 32 up to the block's " + warps.length * 32,
                        Integer.numberOfTrailingZeros(m), in);
            }
            expected[b] = count;
        }
        if (in.op == Op.BAR_RED) {
            int pred = (in.flags & Insn.NEGATE_C) != 0 ? ~w.p[in.a] : w.p[in.a];
            popc[b] += Integer.bitCount(pred & m);
            anyFalse[b] |= ~pred & m;
            anyTrue[b] |= pred & m;
            w.pendingReduction = in;
            w.pendingBarrier = b;
        }
        if ((in.flags & Insn.ARRIVE) == 0) {
            for (int mm = m; mm != 0; mm &= mm - 1) {
                w.lanePc[Integer.numberOfTrailingZeros(mm)] = pc + 1;
            }
            w.waiting |= m;
            waiters[b][w.id] |= m;
        }
        arrived[b] += Integer.bitCount(m);
        if (arrived[b] >= target(b)) {
            release(b, w);
            return true;
        }
        return false;
    }

    private int target(int b) {
        return expected[b] > 0 ? expected[b] : live;
    }

    /**
     * Called when no warp of the block can run: completes the barriers that threads exiting
     * since their last arrival let complete. Throws when none can, as the block would hang.
     */
    void resolveStall() {
        boolean released = false;
        for (int b = 0; b < COUNT; b++) {
            if (arrived[b] > 0 && arrived[b] >= target(b)) {
                release(b, null);
                released = true;
            }
        }
        if (released) {
            return;
        }
        StringBuilder state = new StringBuilder();
        for (int b = 0; b < COUNT; b++) {
            if (arrived[b] > 0) {
                state.append(state.isEmpty() ? "" : ", ").append("barrier ").append(b).append(" has ")
                        .append(arrived[b]).append(" of ").append(target(b)).append(" threads");
            }
        }
        throw new KernelFault(CuResult.LAUNCH_FAILED, "kernel " + kernel + ", block (" + where.blockX + ","
                + where.blockY + "," + where.blockZ + "): no thread can make progress ("
                + (state.isEmpty() ? "no barrier has arrivals" : state) + ")");
    }

    /** Releases barrier {@code b}'s waiting lanes; warps other than {@code running} pick their group again. */
    private void release(int b, Warp running) {
        for (Warp w : warps) {
            int lanes = waiters[b][w.id];
            if (lanes == 0) {
                continue;
            }
            waiters[b][w.id] = 0;
            w.waiting &= ~lanes;
            if (w.pendingReduction != null && w.pendingBarrier == b) {
                writeReduction(w, w.pendingReduction, lanes, b);
                w.pendingReduction = null;
            }
            if (w != running) {
                w.reschedule(w.active == 0 ? 0 : w.pc);
            }
        }
        arrived[b] = 0;
        expected[b] = 0;
        popc[b] = 0;
        anyFalse[b] = 0;
        anyTrue[b] = 0;
    }

    private void writeReduction(Warp w, Insn red, int lanes, int b) {
        if (red.mode == Mode.RED_POPC) {
            for (int mm = lanes; mm != 0; mm &= mm - 1) {
                w.r[red.d + Integer.numberOfTrailingZeros(mm)] = popc[b];
            }
        } else {
            boolean v = red.mode == Mode.VOTE_ALL ? anyFalse[b] == 0 : anyTrue[b] != 0;
            w.p[red.d] = (w.p[red.d] & ~lanes) | (v ? lanes : 0);
        }
    }
}
