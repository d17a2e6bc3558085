package io.gpumigrate.worker;

import io.gpumigrate.device.emulator.EmulatorBackend;
import io.gpumigrate.protocol.Frame;
import io.gpumigrate.protocol.Op;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Same-host uploads through a shared-memory window with and without a {@link ReplayLogRecorder}:
 * the worker's side of the client library's two 8 MiB slots (MEMCPY_HTOD_SHM into one
 * allocation, alternating slots, each call's reply awaited), on the emulator, alternating log
 * off and on, ROUNDS times after a warm-up of each; prints the median GB/s of the calls, how
 * long closing the log took after them (the writer catching up), and the process's CPU time per
 * GB uploaded, log closing included (on a machine whose cores are busy with other work, the
 * GB/s say little and the CPU time says what the log costs). By default every slot
 * holds the same bytes, as driver_bench uploads a repeating pattern (the log stores it once);
 * {@code unique} changes the first bytes of a slot before each call, so every payload is new.
 * With {@code DMA_GBPS} above 0 the emulator's copy is replaced by a wait as long as a DMA at that
 * rate ({@link StandInBackend}), so that only the log's copy and hashing use the CPUs, as on a GPU
 * host (where the shared window is registered and the copy is a DMA).
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp ... io.gpumigrate.worker.SharedMemoryUploadBenchmark \
 *     [UPLOADS (128)] [ROUNDS (5)] [same|unique] [DMA_GBPS (0)]
 * </pre>
 */
public final class SharedMemoryUploadBenchmark {

    private static final long SLOT = 8L << 20;
    private static double dmaGBps;

    private SharedMemoryUploadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int uploads = args.length > 0 ? Integer.parseInt(args[0]) : 128;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        boolean unique = args.length > 2 && args[2].equals("unique");
        dmaGBps = args.length > 3 ? Double.parseDouble(args[3]) : 0;
        Path file = Path.of("/dev/shm", "gpumigrate-upload-bench-" + ProcessHandle.current().pid());
        Path dir = Files.createTempDirectory("upload-bench");
        try (Arena arena = Arena.ofShared()) {
            MemorySegment window;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                ch.truncate(2 * SLOT);
                window = ch.map(FileChannel.MapMode.READ_WRITE, 0, 2 * SLOT, arena);
            }
            for (long i = 0; i < window.byteSize(); i++) {
                window.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) (i * 131 + 7));
            }
            run(file, window, uploads, unique, null);
            run(file, window, uploads, unique, dir.resolve("warmup"));
            double[] off = new double[rounds];
            double[] on = new double[rounds];
            double[] closing = new double[rounds];
            double[] offCpu = new double[rounds];
            double[] onCpu = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                double[] plain = run(file, window, uploads, unique, null);
                double[] logged = run(file, window, uploads, unique, dir.resolve("round-" + r));
                off[r] = plain[0];
                on[r] = logged[0];
                closing[r] = logged[1];
                offCpu[r] = plain[2];
                onCpu[r] = logged[2];
                System.out.printf("round %d: off %.2f GB/s (%.0f CPU ms/GB), on %.2f GB/s (%.0f CPU ms/GB, %.0f while"
                        + " calls ran; log closed %.0f ms later)%n", r + 1, off[r], offCpu[r], on[r], onCpu[r],
                        logged[3], closing[r]);
            }
            double a = RecordingOverheadBenchmark.median(off);
            double b = RecordingOverheadBenchmark.median(on);
            System.out.printf("RESULT shm_htod_GBps_log_off %.2f%nRESULT shm_htod_GBps_log_on %.2f%n"
                    + "RESULT on_off_ratio %.3f%nRESULT log_close_ms %.0f%nRESULT cpu_ms_per_GB_log_off %.0f%n"
                    + "RESULT cpu_ms_per_GB_log_on %.0f%n", a, b, b / a, RecordingOverheadBenchmark.median(closing),
                    RecordingOverheadBenchmark.median(offCpu), RecordingOverheadBenchmark.median(onCpu));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** GB/s of the uploads, and milliseconds that closing the log took afterwards. */
    private static double[] run(Path file, MemorySegment window, int uploads, boolean unique, Path log)
            throws Exception {
        ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        Session session = new Session(1, "bench", StandInBackend.of(new EmulatorBackend(1L << 30, 1), 0, dmaGBps));
        ReplayLogRecorder recorder = log == null ? null : ReplayLogRecorder.open(log, 1);
        if (recorder != null) {
            session.observe(recorder);
        }
        long seq = 0;
        byte[] path = file.toString().getBytes(StandardCharsets.US_ASCII);
        expectSuccess(session.execute(Frame.of(Op.SHM_ATTACH, true, ++seq,
                alloc.directBuffer().writeLongLE(window.byteSize()).writeIntLE(path.length).writeBytes(path)), alloc));
        Frame allocated = session.execute(Frame.of(Op.MEM_ALLOC, true, ++seq, alloc.directBuffer().writeLongLE(SLOT)),
                alloc);
        allocated.body().skipBytes(4);
        long dptr = allocated.body().readLongLE();
        allocated.release();
        long start = System.nanoTime();
        long cpuStart = processCpuNanos();
        for (int i = 0; i < uploads; i++) {
            long offset = (i % 2) * SLOT;
            if (unique) {
                window.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, offset, seq);
            }
            ByteBuf body = alloc.directBuffer(32).writeLongLE(dptr).writeLongLE(0).writeLongLE(offset).writeLongLE(SLOT);
            Frame call = Frame.of(Op.MEMCPY_HTOD_SHM, true, ++seq, body);
            try {
                expectSuccess(session.execute(call, alloc));
            } finally {
                call.release();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long closeStart = System.nanoTime();
        long cpuCalls = processCpuNanos() - cpuStart;
        session.observe(CallObserver.NONE);
        if (recorder != null) {
            var stats = recorder.stats();
            if (stats.stalls() > 0 || stats.callsDropped() > 0) {
                System.out.printf("  the writer fell behind: %d stalls, %.0f ms stalled, %d calls dropped%n",
                        stats.stalls(), stats.stallNanos() / 1e6, stats.callsDropped());
            }
            recorder.sessionEnded();
        }
        double closeMs = (System.nanoTime() - closeStart) / 1e6;
        double gb = uploads * SLOT / 1e9;
        double cpuMsPerGb = (processCpuNanos() - cpuStart) / 1e6 / gb;
        session.end("benchmark round done").join();
        return new double[] {gb / seconds, closeMs, cpuMsPerGb, cpuCalls / 1e6 / gb};
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static void expectSuccess(Frame reply) {
        int status = reply.body().getIntLE(reply.body().readerIndex());
        reply.release();
        if (status != 0) {
            throw new IllegalStateException("call failed with status " + status);
        }
    }
}
