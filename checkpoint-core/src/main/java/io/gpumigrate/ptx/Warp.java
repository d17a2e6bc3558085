package io.gpumigrate.ptx;

/**
 * One warp's state: registers of its 32 lanes, predicate masks, and the SIMT scheduling
 * state. The warp runs one group of lanes that share a PC (the {@link #active} mask); lanes
 * that diverged wait with their own PC in {@link #lanePc}. Normally the group with the lowest
 * PC runs, and groups that reach the same PC merge again (min-PC reconvergence). Because a
 * lowest-PC group may spin on something a group ahead of it must do (a lock held by another
 * lane), a diverged group that keeps branching backward is made to {@link #rotate} to the next
 * group, as independent thread scheduling (sm_70 and later) guarantees every lane progress.
 * Warp collectives with a member mask are convergence points: a group that reaches one without
 * all its members waits there ({@link #syncWaiting}) until they arrive.
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
    /** Lanes waiting at a block barrier. */
    int waiting;
    /** Lanes waiting at a warp collective (at their {@link #lanePc}) for the rest of its member mask. */
    int syncWaiting;
    int pc;
    int active;
    /**
     * The PC at which the running group must stop and let the warp reschedule: the lowest PC of
     * a runnable lane outside {@link #active} that is above the group's PC when it was picked
     * (where it would merge with another group), or {@link #NO_PC}.
     */
    int yieldPc = NO_PC;
    /** Backward branches the running group took while other groups were waiting. */
    int spins;
    /** Whether, when the running group was picked, other lanes could run too (the warp is diverged). */
    boolean diverged;
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
        syncWaiting = 0;
        pc = 0;
        active = valid;
        yieldPc = NO_PC;
        spins = 0;
        diverged = false;
        pendingReduction = null;
    }

    /** Lanes that may run: neither exited nor waiting at a barrier or a warp collective. */
    int runnable() {
        return valid & ~exited & ~waiting & ~syncWaiting;
    }

    boolean finished() {
        return (valid & ~exited) == 0;
    }

    /**
     * Parks the current group at {@code currentPc} and picks the group with the lowest PC
     * among all runnable lanes. When no lane is runnable but some wait at a warp collective,
     * the lowest of those groups is let go (it will run the collective with whoever is there,
     * as nothing else could join it). Leaves {@link #active} 0 when no lane can run.
     */
    void reschedule(int currentPc) {
        park(currentPc);
        int runnable = runnable();
        if (runnable == 0 && syncWaiting != 0) {
            runnable = syncWaiting;
            int min = lowestPc(runnable);
            syncWaiting &= ~lanesAt(runnable, min);
            runnable = runnable();
        }
        pick(runnable, lowestPc(runnable));
    }

    /**
     * Parks the current group at {@code currentPc} and picks the runnable group with the next
     * PC above it, wrapping around to the lowest: the diverged groups of a warp take turns.
     */
    void rotate(int currentPc) {
        park(currentPc);
        int runnable = runnable();
        int next = NO_PC;
        for (int m = runnable; m != 0; m &= m - 1) {
            int at = lanePc[Integer.numberOfTrailingZeros(m)];
            if (at > currentPc && at < next) {
                next = at;
            }
        }
        pick(runnable, next != NO_PC ? next : lowestPc(runnable));
    }

    private void park(int currentPc) {
        for (int m = active; m != 0; m &= m - 1) {
            lanePc[Integer.numberOfTrailingZeros(m)] = currentPc;
        }
    }

    private int lowestPc(int lanes) {
        int min = NO_PC;
        for (int m = lanes; m != 0; m &= m - 1) {
            min = Math.min(min, lanePc[Integer.numberOfTrailingZeros(m)]);
        }
        return min;
    }

    /** Those of {@code lanes} whose PC is {@code at}. */
    int lanesAt(int lanes, int at) {
        int group = 0;
        for (int m = lanes; m != 0; m &= m - 1) {
            int l = Integer.numberOfTrailingZeros(m);
            if (lanePc[l] == at) {
                group |= 1 << l;
            }
        }
        return group;
    }

    /** Makes the lanes of {@code runnable} at {@code at} the running group. */
    private void pick(int runnable, int at) {
        int group = 0;
        int ahead = NO_PC;
        for (int m = runnable; m != 0; m &= m - 1) {
            int l = Integer.numberOfTrailingZeros(m);
            int lpc = lanePc[l];
            if (lpc == at) {
                group |= 1 << l;
            } else if (lpc > at && lpc < ahead) {
                ahead = lpc;
            }
        }
        active = group;
        pc = at;
        yieldPc = ahead;
        spins = 0;
        diverged = group != runnable;
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
