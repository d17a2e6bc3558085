package io.gpumigrate.worker;

import io.gpumigrate.protocol.Frame;
import io.gpumigrate.protocol.Op;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The session thread's own cost of recording a call: {@link ReplayLogRecorder#before} and
 * {@link ReplayLogRecorder#after} for a stream of kernel launches (an 80-byte body, no reply) or
 * of synchronizing calls (a replied call, whose status is appended too), nothing else; prints the
 * median wall and CPU nanoseconds per call over ROUNDS rounds after a warm-up. The writer thread
 * compresses and writes beside it, as in a worker: the process's CPU time per call (log closing
 * included) counts its work too. What this leaves out (the launch itself, the
 * event loop) {@link RecordingOverheadBenchmark} includes.
 *
 * <pre>
 * java -cp ... io.gpumigrate.worker.RecorderCostBenchmark [CALLS (2000000)] [ROUNDS (7)] [launch|sync]
 * </pre>
 */
public final class RecorderCostBenchmark {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private RecorderCostBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        boolean sync = args.length > 2 && args[2].equals("sync");
        Path dir = Files.createTempDirectory("recorder-cost");
        run(calls, sync, dir.resolve("warmup"));
        double[] wall = new double[rounds];
        double[] cpu = new double[rounds];
        double[] all = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            double[] v = run(calls, sync, dir.resolve("round-" + r));
            wall[r] = v[0];
            cpu[r] = v[1];
            all[r] = v[2];
            System.out.printf("round %d: %.1f ns (session thread cpu %.1f, process cpu %.1f) per call%n", r + 1,
                    wall[r], cpu[r], all[r]);
        }
        String kind = sync ? "sync" : "launch";
        System.out.printf("RESULT recorder_ns_per_%s %.1f%nRESULT recorder_cpu_ns_per_%s %.1f%n"
                + "RESULT process_cpu_ns_per_%s %.1f%n", kind, RecordingOverheadBenchmark.median(wall), kind,
                RecordingOverheadBenchmark.median(cpu), kind, RecordingOverheadBenchmark.median(all));
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static double[] run(int calls, boolean sync, Path log) throws Exception {
        ReplayLogRecorder recorder = ReplayLogRecorder.open(log, 1);
        ByteBuf launch = PooledByteBufAllocator.DEFAULT.directBuffer(80);
        launch.writeLongLE(0x7f00_0000_1000L);
        for (int d : new int[] {64, 1, 1, 256, 1, 1, 0}) {
            launch.writeIntLE(d);
        }
        launch.writeLongLE(0).writeIntLE(28).writeLongLE(0x2000_0000_0000L).writeLongLE(0x2000_0010_0000L)
                .writeLongLE(0x2000_0020_0000L).writeIntLE(4096);
        ByteBuf empty = PooledByteBufAllocator.DEFAULT.directBuffer(0);
        Op op = sync ? Op.CTX_SYNCHRONIZE : Op.LAUNCH_KERNEL;
        ByteBuf body = sync ? empty : launch;
        long start = System.nanoTime();
        long cpuStart = THREADS.getCurrentThreadCpuTime();
        long processStart = processCpuNanos();
        for (int i = 1; i <= calls; i++) {
            Frame call = Frame.of(op, sync, i, body);
            recorder.before(call);
            recorder.after(call, 0, null, sync ? 0 : CallObserver.NO_REPLY);
        }
        double wallNs = (System.nanoTime() - start) / (double) calls;
        double cpuNs = (THREADS.getCurrentThreadCpuTime() - cpuStart) / (double) calls;
        recorder.sessionEnded();
        double[] v = {wallNs, cpuNs, (processCpuNanos() - processStart) / (double) calls};
        launch.release();
        empty.release();
        return v;
    }
}
