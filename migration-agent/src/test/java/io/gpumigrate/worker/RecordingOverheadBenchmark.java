package io.gpumigrate.worker;

import io.gpumigrate.device.emulator.EmulatorBackend;
import io.gpumigrate.protocol.Frame;
import io.gpumigrate.protocol.Op;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What recording costs the session thread per kernel launch: the same stream of launches (one
 * thread of a kernel that returns at once, on the emulator) executed by a session with and
 * without a {@link ReplayLogRecorder}, alternating, ROUNDS times; prints the medians. The
 * writer thread's compression runs beside it, as it does in a worker.
 *
 * <pre>
 * mvn -B -o -q -pl migration-agent -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java --enable-native-access=ALL-UNNAMED -cp migration-agent/target/classes:migration-agent/target/test-classes:$(cat /tmp/cp.txt) \
 *     io.gpumigrate.worker.RecordingOverheadBenchmark [LAUNCHES (200000)] [ROUNDS (7)]
 * </pre>
 */
public final class RecordingOverheadBenchmark {

    private RecordingOverheadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int launches = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        byte[] ptx;
        try (InputStream in = RecordingOverheadBenchmark.class.getResourceAsStream("replay_kernels.ptx")) {
            ptx = in.readAllBytes();
        }
        Path dir = Files.createTempDirectory("recording-bench");
        double[] on = new double[rounds];
        double[] off = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            off[r] = nanosPerLaunch(ptx, launches, null);
            on[r] = nanosPerLaunch(ptx, launches, dir.resolve("round-" + r));
            System.out.printf("round %d: off %.0f ns, on %.0f ns per launch%n", r + 1, off[r], on[r]);
        }
        double a = median(off);
        double b = median(on);
        System.out.printf("RESULT launch_ns_log_off %.0f%nRESULT launch_ns_log_on %.0f%nRESULT on_off_ratio %.3f%n", a, b, b / a);
    }

    private static double nanosPerLaunch(byte[] ptx, int launches, Path log) throws Exception {
        ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        Session session = new Session(1, "bench", new EmulatorBackend(1L << 30, 1));
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
        name.writeIntLE(3).writeBytes("add".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        Frame fn = session.execute(Frame.of(Op.MODULE_GET_FUNCTION, true, ++seq, name), alloc);
        fn.body().skipBytes(4);
        long function = fn.body().readLongLE();
        fn.release();
        long start = 0;
        int warmup = launches / 10;
        for (int i = 0; i < warmup + launches; i++) {
            if (i == warmup) {
                start = System.nanoTime();
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
        double perLaunch = (System.nanoTime() - start) / (double) launches;
        if (recorder != null) {
            recorder.sessionEnded();
        }
        session.observe(CallObserver.NONE);
        return perLaunch;
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }
}
