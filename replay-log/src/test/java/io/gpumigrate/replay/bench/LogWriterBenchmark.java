package io.gpumigrate.replay.bench;

import com.github.luben.zstd.ZstdCompressCtx;
import io.gpumigrate.protocol.Op;
import io.gpumigrate.replay.Calls;
import io.gpumigrate.replay.format.EntryBuffer;
import io.gpumigrate.replay.format.EntryCursor;
import io.gpumigrate.replay.write.LogWriter;
import io.gpumigrate.replay.write.LogWriterConfig;
import io.gpumigrate.replay.write.WriterStats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Measures what logging costs the session thread, and what the writer thread sustains:
 * launch-sized calls (80-byte LAUNCH_KERNEL bodies), then 1 and 8 MiB uploads, of one buffer
 * repeated and of distinct buffers. Each scenario runs {@code RUNS} times into a fresh log; medians are
 * printed. Uploads run with appends waiting for room rather than dropping calls, since this
 * benchmark produces them faster than any link could. Usage:
 * {@code LogWriterBenchmark [DIR [uploads]]} (DIR default: a temporary directory; {@code uploads}:
 * the upload scenarios only).
 *
 * <p>The launch figure to compare: 222k launches/s through FFM on an H200 (DESIGN.md), 4.5 us a
 * launch, so a 3% budget is 135 ns of session-thread time per call.
 */
public final class LogWriterBenchmark {

    private static final int RUNS = 5;
    private static final int LAUNCHES = 2_000_000;
    private static final double LAUNCH_NANOS = 1e9 / 222_000;
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        Path base = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("gm-bench");
        Files.createDirectories(base);
        System.out.printf("replay log writer benchmark, %d runs each, medians; logs under %s%n", RUNS, base);
        if (args.length < 2 || !args[1].equals("uploads")) {
            perRecordCompression();
            launches(base);
        }
        for (int mib : new int[] {1, 8}) {
            uploads(base, true, mib);
            uploads(base, false, mib);
        }
    }

    private static void launches(Path base) throws IOException {
        ByteBuf[] bodies = new ByteBuf[64];
        Random r = new Random(1);
        for (int i = 0; i < bodies.length; i++) {
            bodies[i] = Unpooled.directBuffer(80).writeBytes(Calls.launch(0x7f00 + i % 4, 1024, 256, 0,
                    Calls.random(r, 32)));
        }
        double[] baseline = new double[RUNS];
        double[] append = new double[RUNS];
        double[] baselineCpu = new double[RUNS];
        double[] appendCpu = new double[RUNS];
        double[] writerCpu = new double[RUNS];
        double[] sustained = new double[RUNS];
        WriterStats last = null;
        for (int run = -1; run < RUNS; run++) { // run -1 warms up
            long c0 = CPU.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            for (int i = 0; i < LAUNCHES; i++) { // what the session thread does anyway: hold and drop the frame
                ByteBuf b = bodies[i & 63].retain();
                b.release();
            }
            long t1 = System.nanoTime();
            long c1 = CPU.getCurrentThreadCpuTime();
            Path dir = base.resolve("launch-" + (run + 1));
            try (LogWriter w = LogWriter.open(dir, 1, LogWriterConfig.defaults())) {
                long w0 = writerCpuNanos();
                long c2 = CPU.getCurrentThreadCpuTime();
                long start = System.nanoTime();
                for (int i = 0; i < LAUNCHES; i++) {
                    w.append(i + 1, Op.LAUNCH_KERNEL, 0, bodies[i & 63].retain());
                }
                long appended = System.nanoTime();
                long c3 = CPU.getCurrentThreadCpuTime();
                w.flush();
                long flushed = System.nanoTime();
                long w1 = writerCpuNanos();
                last = w.stats();
                if (run >= 0) {
                    baseline[run] = (t1 - t0) / (double) LAUNCHES;
                    append[run] = (appended - start) / (double) LAUNCHES;
                    baselineCpu[run] = (c1 - c0) / (double) LAUNCHES;
                    appendCpu[run] = (c3 - c2) / (double) LAUNCHES;
                    writerCpu[run] = (w1 - w0) / (double) LAUNCHES;
                    sustained[run] = LAUNCHES / ((flushed - start) / 1e9);
                }
            }
            deleteTree(dir);
        }
        double cost = median(append) - median(baseline);
        double cpuCost = median(appendCpu) - median(baselineCpu);
        System.out.printf("launch-sized calls (80-byte body), %,d per run:%n", LAUNCHES);
        System.out.printf("  session thread, wall: %.0f ns per append (%.1f M appends/s), %.0f ns over holding the frame"
                + " alone = %.2f%% of a launch at 222k launches/s (budget 3%%)%n",
                median(append), 1e3 / median(append), cost, 100 * cost / LAUNCH_NANOS);
        System.out.printf("  session thread, CPU:  %.0f ns per append, %.0f ns over holding the frame alone = %.2f%%%n",
                median(appendCpu), cpuCost, 100 * cpuCost / LAUNCH_NANOS);
        System.out.printf("  writer thread: %.0f ns CPU per call (at 222k calls/s: %.0f%% of one core); sustains %.2f M"
                + " calls/s to disk (append to flush)%n", median(writerCpu), median(writerCpu) * 222_000 / 1e7,
                median(sustained) / 1e6);
        System.out.printf("  last run: %,d raw bytes -> %,d on disk (%.1fx), %d segments, %d stalls, %d dropped%n",
                last.rawBytes(), last.segmentBytes(), last.rawBytes() / (double) last.segmentBytes(),
                last.segmentsCreated(), last.stalls(), last.callsDropped());
    }

    private static void uploads(Path base, boolean repeated, int mib) throws IOException {
        int size = mib << 20;
        int n = (repeated ? 4_000 : 1_000) / mib;
        int pool = 32;
        ByteBuf[] bodies = new ByteBuf[pool];
        Random r = new Random(2);
        for (int i = 0; i < pool; i++) {
            bodies[i] = Unpooled.directBuffer(16 + size).writeBytes(Calls.htod(0x2000_0000_0000L, 0,
                    Calls.random(r, size)));
        }
        double[] append = new double[RUNS];
        double[] sustained = new double[RUNS];
        double[] perCpu = new double[RUNS];
        WriterStats last = null;
        for (int run = -1; run < RUNS; run++) {
            Path dir = base.resolve((repeated ? "same-" : "distinct-") + (run + 1));
            long inAppend = 0;
            long start;
            // Appends wait for room instead of dropping: this measures what the writer thread sustains.
            LogWriterConfig config = LogWriterConfig.defaults().withMaxStall(Duration.ofHours(1));
            long cpu0 = processCpuNanos();
            try (LogWriter w = LogWriter.open(dir, 1, config)) {
                start = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    ByteBuf b = bodies[repeated ? 0 : i % pool];
                    if (!repeated) {
                        while (b.refCnt() > 1) { // the writer still reads it: wait before changing it
                            Thread.onSpinWait();
                        }
                        b.setLong(16, ((long) run << 32) | i); // distinct content every time
                    }
                    long a = System.nanoTime();
                    w.append(i + 1, Op.MEMCPY_HTOD, 0, b.retain());
                    inAppend += System.nanoTime() - a;
                }
                w.flush();
                long flushed = System.nanoTime();
                last = w.stats();
                if (run >= 0) {
                    append[run] = inAppend / (double) n;
                    sustained[run] = n * (double) size / ((flushed - start) / 1e9);
                    perCpu[run] = n * (double) size / ((processCpuNanos() - cpu0) / 1e9);
                }
            }
            deleteTree(dir);
        }
        for (ByteBuf b : bodies) {
            b.release();
        }
        System.out.printf("%d MiB uploads, %s, %,d per run:%n", mib, repeated ? "one buffer repeated" : "distinct buffers",
                n);
        System.out.printf("  session thread: %.0f ns per append, waits for room included (the payload is referenced,"
                + " not copied)%n", median(append));
        System.out.printf("  writer sustains %.2f GB/s of uploads (append to flush), %.2f GB per CPU-second of the whole"
                + " process (%d cores)%n", median(sustained) / 1e9, median(perCpu) / 1e9,
                Runtime.getRuntime().availableProcessors());
        System.out.printf("  last run: %d blobs written (%,d bytes), %d deduplicated, %d stalls (%.1f ms), %d dropped%n",
                last.blobsWritten(), last.blobBytes(), last.blobsDeduplicated(), last.stalls(), last.stallNanos() / 1e6,
                last.callsDropped());
    }

    /** Why entries are compressed in blocks: each launch entry compressed on its own, for comparison. */
    private static void perRecordCompression() {
        Random r = new Random(3);
        byte[][] entries = new byte[64][];
        for (int i = 0; i < entries.length; i++) {
            EntryBuffer e = new EntryBuffer(128);
            byte[] body = Calls.launch(0x7f00 + i % 4, 1024, 256, 0, Calls.random(r, 32));
            e.putCall(EntryCursor.CALL, i, Op.LAUNCH_KERNEL.code(), 0, false, 0, body, 0, body.length);
            entries[i] = Arrays.copyOf(e.array(), e.length());
        }
        byte[] out = new byte[256];
        int n = 1_000_000;
        long raw = 0;
        long packed = 0;
        try (ZstdCompressCtx zstd = new ZstdCompressCtx()) {
            zstd.setLevel(3);
            for (int i = 0; i < n / 10; i++) { // warm up
                zstd.compressByteArray(out, 0, out.length, entries[i & 63], 0, entries[i & 63].length);
            }
            long t0 = CPU.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                raw += entries[i & 63].length;
                packed += zstd.compressByteArray(out, 0, out.length, entries[i & 63], 0, entries[i & 63].length);
            }
            long t1 = CPU.getCurrentThreadCpuTime();
            System.out.printf("per-entry zstd (level 3) of launch entries, for comparison: %.0f ns CPU each, %d -> %d bytes"
                    + " (%.2fx)%n", (t1 - t0) / (double) n, raw / n, packed / n, raw / (double) packed);
        }
    }

    /** CPU time of every thread of this JVM so far (the writer's helpers included). */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long writerCpuNanos() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("replay-log-writer-")) {
                return CPU.getThreadCpuTime(t.threadId());
            }
        }
        throw new IllegalStateException("no writer thread");
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
