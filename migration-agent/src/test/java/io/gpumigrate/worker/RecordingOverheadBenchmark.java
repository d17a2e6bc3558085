package io.gpumigrate.worker;

import io.gpumigrate.device.emulator.EmulatorBackend;
import io.gpumigrate.protocol.Frame;
import io.gpumigrate.protocol.Op;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What recording costs the session thread per kernel launch: the same stream of pipelined
 * launches executed by a session with and without a {@link ReplayLogRecorder}, alternating,
 * ROUNDS times (after one discarded warm-up round of each); prints the medians of the wall time
 * and of the session thread's CPU time per launch. A launch either runs the emulator's
 * one-thread kernel ({@code SPIN_NS} 0) or busy-waits {@code SPIN_NS} in a stand-in backend
 * ({@link StandInBackend}, default 3000 ns, about a forwarded launch on a GPU). The writer
 * thread's compression runs beside it, as it does in a worker.
 *
 * <pre>
 * mvn -B -o -q -pl migration-agent -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java --enable-native-access=ALL-UNNAMED -cp migration-agent/target/classes:migration-agent/target/test-classes:$(cat /tmp/cp.txt) \
 *     io.gpumigrate.worker.RecordingOverheadBenchmark [LAUNCHES (200000)] [ROUNDS (7)] [SPIN_NS (3000)]
 * </pre>
 * {@link SharedMemoryUploadBenchmark} measures uploads through shared memory the same way.
 */
public final class RecordingOverheadBenchmark {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private RecordingOverheadBenchmark() {
    }

    /** Wall and session-thread CPU nanoseconds per launch of one run. */
    private record Run(double wallNs, double cpuNs) {
    }

    public static void main(String[] args) throws Exception {
        int launches = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        long spin = args.length > 2 ? Long.parseLong(args[2]) : 3000;
        byte[] ptx;
        try (InputStream in = RecordingOverheadBenchmark.class.getResourceAsStream("replay_kernels.ptx")) {
            ptx = in.readAllBytes();
        }
        Path dir = Files.createTempDirectory("recording-bench");
        run(ptx, launches, spin, null);
        run(ptx, launches, spin, dir.resolve("warmup"));
        double[] offWall = new double[rounds];
        double[] onWall = new double[rounds];
        double[] offCpu = new double[rounds];
        double[] onCpu = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            boolean onFirst = r % 2 == 1;
            Run on = onFirst ? run(ptx, launches, spin, dir.resolve("round-" + r)) : null;
            Run off = run(ptx, launches, spin, null);
            if (!onFirst) {
                on = run(ptx, launches, spin, dir.resolve("round-" + r));
            }
            offWall[r] = off.wallNs();
            onWall[r] = on.wallNs();
            offCpu[r] = off.cpuNs();
            onCpu[r] = on.cpuNs();
            System.out.printf("round %d: off %.0f ns (cpu %.0f), on %.0f ns (cpu %.0f) per launch%n", r + 1,
                    off.wallNs(), off.cpuNs(), on.wallNs(), on.cpuNs());
        }
        System.out.printf("RESULT launch_ns_log_off %.0f%nRESULT launch_ns_log_on %.0f%nRESULT on_off_ratio %.3f%n"
                        + "RESULT cpu_ns_log_off %.0f%nRESULT cpu_ns_log_on %.0f%nRESULT cpu_ns_recorder %.0f%n",
                median(offWall), median(onWall), median(onWall) / median(offWall), median(offCpu), median(onCpu),
                median(onCpu) - median(offCpu));
    }

    private static Run run(byte[] ptx, int launches, long spin, Path log) throws Exception {
        ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        EmulatorBackend emulator = new EmulatorBackend(1L << 30, 1);
        Session session = new Session(1, "bench", spin > 0 ? StandInBackend.of(emulator, spin, 0) : emulator);
        ReplayLogRecorder recorder = log == null ? null : ReplayLogRecorder.open(log, 1);
        if (recorder != null) {
            session.observe(recorder);
        }
        long seq = 0;
        Frame loaded = session.execute(Frame.of(Op.MODULE_LOAD, true, ++seq, alloc.directBuffer().writeBytes(ptx)), alloc);
        loaded.body().skipBytes(4);
        long module = loaded.body().readLongLE();
        loaded.release();
        ByteBuf name = alloc.directBuffer().writeLongLE(module);
        name.writeIntLE(3).writeBytes("add".getBytes(StandardCharsets.US_ASCII));
        Frame fn = session.execute(Frame.of(Op.MODULE_GET_FUNCTION, true, ++seq, name), alloc);
        fn.body().skipBytes(4);
        long function = fn.body().readLongLE();
        fn.release();
        long start = 0;
        long cpuStart = 0;
        int warmup = launches / 10;
        for (int i = 0; i < warmup + launches; i++) {
            if (i == warmup) {
                start = System.nanoTime();
                cpuStart = THREADS.getCurrentThreadCpuTime();
            }
            ByteBuf b = alloc.directBuffer(80).writeLongLE(function);
            for (int d : new int[] {1, 1, 1, 1, 1, 1, 0}) {
                b.writeIntLE(d);
            }
            b.writeLongLE(0).writeIntLE(28).writeLongLE(0).writeLongLE(0).writeLongLE(0).writeIntLE(0);
            Frame call = Frame.of(Op.LAUNCH_KERNEL, false, ++seq, b);
            try {
                session.execute(call, alloc);
            } finally {
                call.release();
            }
        }
        Run run = new Run((System.nanoTime() - start) / (double) launches,
                (THREADS.getCurrentThreadCpuTime() - cpuStart) / (double) launches);
        if (recorder != null) {
            recorder.sessionEnded();
        }
        session.observe(CallObserver.NONE);
        session.end("benchmark round done");
        return run;
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }
}
