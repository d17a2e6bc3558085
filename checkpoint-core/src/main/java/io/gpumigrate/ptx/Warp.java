package io.gpumigrate.ptx;

/**
 * One warp's state: registers of its 32 lanes, predicate masks, and the SIMT scheduling
 * state. The warp runs one group of lanes that share a PC (the {@link #active} mask); lanes
 * that diverged wait with their own PC in {@link #lanePc}. The group with the lowest PC runs
 * first, and groups that reach the same PC merge again (min-PC reconvergence).
 *
 * <p>Confined to the worker thread running its block.
 */
final class Warp {

    static final int NO_PC = Integer.MAX_VALUE;

    long[] r = new long[0];
    /** Local memory of the 32 lanes, {@code localBytes} each. */
    byte[] local = new byte[0];
    int[] p = new int[0];
    final int[] lanePc = new int[32];
    /** Shuffle staging, so that a lane can read what another lane held before the instruction. */
    final long[] staging = new long[32];

    int id;
    /** Lanes that exist (the last warp of a block may be partial). */
    int valid;
    int exited;
    /** Lanes waiting at a barrier. */
    int waiting;
    int pc;
    int active;
    /** Lowest PC of a runnable lane outside {@link #active}, or {@link #NO_PC}. */
    int suspendedMin = NO_PC;
    /** The bar.red instruction whose result is due when the barrier releases, or null. */
    Insn pendingReduction;
    /** The barrier {@link #pendingReduction} waits at. */
    int pendingBarrier;

    /** Per-lane call stacks of out-of-line calls, created on first use. */
    private LaneStack[] stacks;

    /** A lane's call stack: return PCs, frame pointers, saved registers. */
    static final class LaneStack {
        long[] data = new long[64];
        int size;

        void push(long v) {
            if (size == data.length) {
                data = java.util.Arrays.copyOf(data, size * 2);
            }
            data[size++] = v;
        }

        long pop() {
            return data[--size];
        }
    }

    LaneStack stack(int lane) {
        if (stacks == null) {
            stacks = new LaneStack[32];
        }
        LaneStack s = stacks[lane];
        if (s == null) {
            s = new LaneStack();
            stacks[lane] = s;
        }
        return s;
    }

    void reset(int id, int valid, int slots, int predicates) {
        if (stacks != null) {
            for (LaneStack s : stacks) {
                if (s != null) {
                    s.size = 0;
                }
            }
        }
        this.id = id;
        this.valid = valid;
        if (r.length < slots * 32) {
            r = new long[slots * 32];
        }
        if (p.length < predicates) {
            p = new int[predicates];
        } else {
            java.util.Arrays.fill(p, 0);
        }
        exited = 0;
        waiting = 0;
        pc = 0;
        active = valid;
        suspendedMin = NO_PC;
        pendingReduction = null;
    }

    /** Lanes that may run: neither exited nor waiting at a barrier. */
    int runnable() {
        return valid & ~exited & ~waiting;
    }

    boolean finished() {
        return (valid & ~exited) == 0;
    }

    /**
     * Parks the current group at {@code currentPc} and picks the group with the lowest PC
     * among all runnable lanes. Leaves {@link #active} 0 when no lane can run.
     */
    void reschedule(int currentPc) {
        for (int m = active; m != 0; m &= m - 1) {
            lanePc[Integer.numberOfTrailingZeros(m)] = currentPc;
        }
        int runnable = runnable();
        int min = NO_PC;
        for (int m = runnable; m != 0; m &= m - 1) {
            min = Math.min(min, lanePc[Integer.numberOfTrailingZeros(m)]);
        }
        int group = 0;
        int second = NO_PC;
        for (int m = runnable; m != 0; m &= m - 1) {
            int l = Integer.numberOfTrailingZeros(m);
            if (lanePc[l] == min) {
                group |= 1 << l;
            } else {
                second = Math.min(second, lanePc[l]);
            }
        }
        active = group;
        pc = min;
        suspendedMin = second;
    }

    /** Splits the current group at a divergent branch and picks the next group to run. */
    void diverge(int taken, int target, int fallThrough) {
        for (int m = active; m != 0; m &= m - 1) {
            int l = Integer.numberOfTrailingZeros(m);
            lanePc[l] = (taken & (1 << l)) != 0 ? target : fallThrough;
        }
        active = 0;
        reschedule(0);
    }
}
