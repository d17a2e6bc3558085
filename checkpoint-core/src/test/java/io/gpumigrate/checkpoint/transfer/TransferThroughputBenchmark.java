package io.gpumigrate.checkpoint.transfer;

import io.gpumigrate.checkpoint.ProgressListener;
import io.gpumigrate.checkpoint.SessionImage;
import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.emulator.DeviceAddressSpace;
import io.gpumigrate.device.emulator.EmulatorBackend;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Stop-and-copy throughput without a GPU (issue 5's CPU-side proxy): one session's memory,
 * compressible (runs of 1024 equal words, like the stencil ballast's mode 1) or random, sent
 * from one emulator backend to another over loopback in a single final round, from connect to
 * VERIFIED, as a paused session's migration sends it. Prints the median of several runs:
 * {@code RESULT stopcopy_cold_<kind>_<MiB>MiB_GBps median [samples]} (GB = 1e9 bytes), and
 * {@code stopcopy_pause_...}: the final copy alone after {@link MigrationSender#prepare}. The emulator's
 * copies are host {@code memcpy}s, so this measures the transfer's CPU work (hashing,
 * compression, sockets, applying), not DMA. Not a test: run it by hand,
 * <pre>
 *   mvn -o -q -pl checkpoint-core -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 *   java -cp checkpoint-core/target/classes:checkpoint-core/target/test-classes:$(cat /tmp/cp.txt) \
 *       io.gpumigrate.checkpoint.transfer.TransferThroughputBenchmark [MiB [RUNS]]
 * </pre>
 * (default: 1024 MiB, 5 runs).
 */
public final class TransferThroughputBenchmark {

    private TransferThroughputBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 1024;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        for (String kind : new String[] {"compressible", "random"}) {
            double[] cold = new double[runs];
            double[] pause = new double[runs];
            for (int r = 0; r < runs; r++) {
                double[] rates = stopAndCopy(kind, mib << 20);
                cold[r] = rates[0];
                pause[r] = rates[1];
            }
            System.out.printf("RESULT stopcopy_cold_%s_%dMiB_GBps %.3f %s%n", kind, mib, median(cold), Arrays.toString(cold));
            System.out.printf("RESULT stopcopy_pause_%s_%dMiB_GBps %.3f %s%n", kind, mib, median(pause),
                    Arrays.toString(pause));
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /**
     * Two stop-and-copies of {@code bytes} of {@code kind}, in GB/s: cold, from connect to
     * VERIFIED into a fresh target (the emulator's first touch of its memory included); and the
     * pause alone, the final copy after {@link MigrationSender#prepare} into target memory already
     * touched, as a GPU's mapped memory is.
     */
    static double[] stopAndCopy(String kind, long bytes) throws Exception {
        double cold = transfer(kind, bytes, false);
        double pause = transfer(kind, bytes, true);
        return new double[] {cold, pause};
    }

    private static double transfer(String kind, long bytes, boolean prepared) throws Exception {
        try (EmulatorBackend source = new EmulatorBackend(bytes + (64 << 20));
             EmulatorBackend target = new EmulatorBackend(bytes + (64 << 20))) {
            long address = source.memAlloc(bytes);
            try (Arena arena = Arena.ofConfined()) {
                source.copyHtoD(address, fill(kind, arena.allocate(bytes, 4096)), null);
            }
            TransferOptions options = TransferOptions.defaults();
            SessionImage image = SessionImage.ofMemory(new AddressRange(DeviceAddressSpace.WINDOW_BASE, 1L << 40),
                    source.allocations());
            long t0 = System.nanoTime();
            try (MigrationReceiver receiver = MigrationReceiver.listen(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), target, null, options);
                 MigrationSender sender = MigrationSender.connect(receiver.address(), source, options)) {
                if (prepared) {
                    sender.prepare(source.allocations());
                    while (target.allocations().isEmpty()) {
                        Thread.onSpinWait(); // the receiver places the allocation on its own thread
                    }
                    target.memset(address, 0x01, 1, bytes, null); // touch it, as mapped GPU memory is
                    t0 = System.nanoTime();
                }
                sender.finish(image, ProgressListener.NONE);
                receiver.result().get(120, TimeUnit.SECONDS);
                return bytes / ((System.nanoTime() - t0) / 1e9) / 1e9;
            }
        }
    }

    private static MemorySegment fill(String kind, MemorySegment s) {
        SplittableRandom random = new SplittableRandom(7);
        if (kind.equals("random")) {
            for (long i = 0; i < s.byteSize(); i += 8) {
                s.set(ValueLayout.JAVA_LONG_UNALIGNED, i, random.nextLong());
            }
        } else {
            for (long i = 0; i < s.byteSize(); i += 4) {
                s.set(ValueLayout.JAVA_INT_UNALIGNED, i, (int) (i >> 12) ^ 0x5EED);
            }
        }
        return s;
    }
}
