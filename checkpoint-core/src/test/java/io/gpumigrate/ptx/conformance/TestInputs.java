package io.gpumigrate.ptx.conformance;

import java.util.Random;

/**
 * Seeded test inputs that mix uniformly random values, small values and the edge values
 * where implementations go wrong (0, ±1, the extremes). Same seed, same inputs.
 */
final class TestInputs {

    private static final int[] INT_EDGES = {0, 1, -1, 2, Integer.MIN_VALUE, Integer.MAX_VALUE, 0x7fff, 0x8000, -0x8000, 0xffff};
    private static final long[] LONG_EDGES = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0xffffffffL, 1L << 32, Integer.MIN_VALUE};

    private TestInputs() {
    }

    static int[] ints(Random random, int n) {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (random.nextInt(4)) {
                case 0 -> INT_EDGES[random.nextInt(INT_EDGES.length)];
                case 1 -> random.nextInt(2001) - 1000;
                default -> random.nextInt();
            };
        }
        return v;
    }

    static long[] longs(Random random, int n) {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (random.nextInt(4)) {
                case 0 -> LONG_EDGES[random.nextInt(LONG_EDGES.length)];
                case 1 -> random.nextInt(2001) - 1000;
                default -> random.nextLong();
            };
        }
        return v;
    }

    /** Non-zero finite floats over a wide range of magnitudes, some of them subnormal. */
    static float[] floats(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            float m = 1.0f + random.nextFloat();
            int exp = random.nextInt(10) == 0 ? -140 + random.nextInt(20) : random.nextInt(61) - 30;
            float f = Math.scalb(m, exp);
            if (f == 0.0f) {
                f = Float.MIN_VALUE;
            }
            v[i] = random.nextBoolean() ? f : -f;
        }
        return v;
    }

    /** Non-zero finite doubles over a wide range of magnitudes, some of them subnormal. */
    static double[] doubles(Random random, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            double m = 1.0 + random.nextDouble();
            int exp = random.nextInt(10) == 0 ? -1060 + random.nextInt(30) : random.nextInt(121) - 60;
            double d = Math.scalb(m, exp);
            if (d == 0.0) {
                d = Double.MIN_VALUE;
            }
            v[i] = random.nextBoolean() ? d : -d;
        }
        return v;
    }

    /** Floats in [lo, hi). */
    static float[] uniform(Random random, int n, float lo, float hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = lo + (hi - lo) * random.nextFloat();
        }
        return v;
    }
}
