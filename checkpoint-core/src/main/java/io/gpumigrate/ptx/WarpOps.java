package io.gpumigrate.ptx;

/**
 * Warp-level instructions. The lanes executing together are the mask {@code m}; a lane reads
 * another lane's register as it was before the instruction (values are staged first), as the
 * hardware's crossbar does.
 */
final class WarpOps {

    private WarpOps() {
    }

    static void exec(Insn in, Warp w, int m) {
        final long[] r = w.r;
        final int[] p = w.p;
        switch (in.op) {
            case Op.SHFL -> shuffle(in, w, m);
            case Op.VOTE -> {
                int pred = (in.flags & Insn.NEGATE_C) != 0 ? ~p[in.a] : p[in.a];
                int yes = pred & m;
                switch (in.mode) {
                    case Mode.VOTE_BALLOT -> {
                        long v = yes & 0xFFFF_FFFFL;
                        for (int mm = m; mm != 0; mm &= mm - 1) {
                            r[in.d + Integer.numberOfTrailingZeros(mm)] = v;
                        }
                    }
                    case Mode.VOTE_ALL -> p[in.d] = (p[in.d] & ~m) | (yes == m ? m : 0);
                    case Mode.VOTE_ANY -> p[in.d] = (p[in.d] & ~m) | (yes != 0 ? m : 0);
                    default -> p[in.d] = (p[in.d] & ~m) | (yes == m || yes == 0 ? m : 0);
                }
            }
            case Op.ACTIVEMASK -> {
                long v = m & 0xFFFF_FFFFL;
                for (int mm = m; mm != 0; mm &= mm - 1) {
                    r[in.d + Integer.numberOfTrailingZeros(mm)] = v;
                }
            }
            case Op.MATCH -> match(in, r, p, m);
            case Op.REDUX -> {
                PtxType t = in.type;
                long acc = 0;
                boolean first = true;
                for (int mm = m; mm != 0; mm &= mm - 1) {
                    long v = t.normalize(r[in.a + Integer.numberOfTrailingZeros(mm)]);
                    if (first) {
                        acc = v;
                        first = false;
                        continue;
                    }
                    acc = switch (in.mode) {
                        case Mode.A_ADD -> acc + v;
                        case Mode.A_MIN -> t.signed() ? Math.min(acc, v) : (Long.compareUnsigned(acc, v) <= 0 ? acc : v);
                        case Mode.A_MAX -> t.signed() ? Math.max(acc, v) : (Long.compareUnsigned(acc, v) >= 0 ? acc : v);
                        case Mode.A_AND -> acc & v;
                        case Mode.A_OR -> acc | v;
                        default -> acc ^ v;
                    };
                }
                long out = t.normalize(acc);
                for (int mm = m; mm != 0; mm &= mm - 1) {
                    r[in.d + Integer.numberOfTrailingZeros(mm)] = out;
                }
            }
            default -> throw new IllegalStateException("not a warp operation: " + in);
        }
    }

    private static void shuffle(Insn in, Warp w, int m) {
        final long[] r = w.r;
        final long[] staged = w.staging;
        System.arraycopy(r, in.a, staged, 0, 32);
        int valid = 0;
        for (int mm = m; mm != 0; mm &= mm - 1) {
            int lane = Integer.numberOfTrailingZeros(mm);
            int bval = (int) r[in.b + lane] & 31;
            int cval = (int) r[in.c + lane] & 31;
            int segmask = (int) (r[in.c + lane] >>> 8) & 31;
            int maxLane = (lane & segmask) | (cval & ~segmask);
            int minLane = lane & segmask;
            int j;
            boolean ok;
            switch (in.mode) {
                case Mode.SHFL_UP -> {
                    j = lane - bval;
                    ok = j >= maxLane;
                }
                case Mode.SHFL_DOWN -> {
                    j = lane + bval;
                    ok = j <= maxLane;
                }
                case Mode.SHFL_BFLY -> {
                    j = lane ^ bval;
                    ok = j <= maxLane;
                }
                default -> {
                    j = minLane | (bval & ~segmask);
                    ok = j <= maxLane;
                }
            }
            if (!ok) {
                j = lane;
            }
            r[in.d + lane] = staged[j] & 0xFFFF_FFFFL;
            valid |= ok ? 1 << lane : 0;
        }
        if (in.d2 >= 0) {
            w.p[in.d2] = (w.p[in.d2] & ~m) | valid;
        }
    }

    private static void match(Insn in, long[] r, int[] p, int m) {
        PtxType t = in.type;
        if (in.mode == Mode.MATCH_ALL) {
            long first = t.normalize(r[in.a + Integer.numberOfTrailingZeros(m)]);
            boolean all = true;
            for (int mm = m; mm != 0; mm &= mm - 1) {
                all &= t.normalize(r[in.a + Integer.numberOfTrailingZeros(mm)]) == first;
            }
            long out = all ? m & 0xFFFF_FFFFL : 0;
            for (int mm = m; mm != 0; mm &= mm - 1) {
                r[in.d + Integer.numberOfTrailingZeros(mm)] = out;
            }
            if (in.d2 >= 0) {
                p[in.d2] = (p[in.d2] & ~m) | (all ? m : 0);
            }
            return;
        }
        long[] values = new long[32];
        for (int mm = m; mm != 0; mm &= mm - 1) {
            int l = Integer.numberOfTrailingZeros(mm);
            values[l] = t.normalize(r[in.a + l]);
        }
        for (int mm = m; mm != 0; mm &= mm - 1) {
            int l = Integer.numberOfTrailingZeros(mm);
            int same = 0;
            for (int k = m; k != 0; k &= k - 1) {
                int o = Integer.numberOfTrailingZeros(k);
                same |= values[o] == values[l] ? 1 << o : 0;
            }
            r[in.d + l] = same & 0xFFFF_FFFFL;
        }
    }
}
