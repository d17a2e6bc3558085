package io.gpumigrate.ptx;

import io.gpumigrate.device.LaunchConfig;

import java.util.Locale;

/**
 * Measures the emulator's speed in thread-instructions per second (one PTX instruction
 * executed by one thread) on a shared-memory tiled matmul (512 x 512) and a reduction over
 * 16M floats, with all available cores. Run after {@code mvn -pl checkpoint-core test-compile}:
 * <pre>
 *   java -cp checkpoint-core/target/classes:checkpoint-core/target/test-classes:$(deps) \
 *        io.gpumigrate.ptx.EmulatorBenchmark [workers] [repetitions]
 * </pre>
 * where deps is the slf4j-api, zstd-jni and lz4-java jars.
 */
public final class EmulatorBenchmark {

    private EmulatorBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int workers = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        System.out.printf(Locale.ROOT, "workers: %d%n", workers);
        try (KernelHarness h = new KernelHarness("kernels.ptx", workers)) {
            int n = 512;
            float[] a = new float[n * n];
            float[] b = new float[n * n];
            for (int i = 0; i < a.length; i++) {
                a[i] = (i % 7) - 3;
                b[i] = (i % 5) - 2;
            }
            long da = h.floats(a);
            long db = h.floats(b);
            long dc = h.zeros(4L * n * n);
            for (int r = 0; r < reps; r++) {
                long cpu = cpuNanos();
                h.launch("matmul", new LaunchConfig(n / 16, n / 16, 1, 16, 16, 1, 0), da, db, dc, n);
                report("matmul 512x512", h.backend.lastLaunchStats(), cpuNanos() - cpu);
            }
            int count = 16 << 20;
            long in = h.zeros(4L * count);
            h.backend.memset(in, Float.floatToRawIntBits(1.0f), 4, count, null);
            long out = h.zeros(4);
            for (int r = 0; r < reps; r++) {
                h.backend.memset(out, 0, 4, 1, null);
                long cpu = cpuNanos();
                h.launch("reduceSum", new LaunchConfig(1024, 1, 1, 256, 1, 1, 256 * 4), in, out, count);
                report("reduce 16M floats", h.backend.lastLaunchStats(), cpuNanos() - cpu);
            }
            System.out.printf(Locale.ROOT, "reduction result %.0f (expected %d)%n", h.readFloats(out, 1)[0], count);
        }
    }

    /**
     * Prints the wall-clock rate and the rate per CPU-second: on a shared machine the second
     * one says what the emulator does with the cores it actually got.
     */
    private static void report(String what, GridLauncher.Stats s, long cpuNanos) {
        System.out.printf(Locale.ROOT, "%-18s %,13d thread-instr in %7.1f ms wall: %7.1f M/s wall, %7.1f M per CPU-second%n",
                what, s.threadInstructions(), s.nanos() / 1e6, s.rate() / 1e6,
                cpuNanos == 0 ? 0 : s.threadInstructions() * 1e3 / cpuNanos);
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
