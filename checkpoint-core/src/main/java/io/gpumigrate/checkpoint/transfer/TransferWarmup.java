package io.gpumigrate.checkpoint.transfer;

import io.gpumigrate.checkpoint.ProgressListener;
import io.gpumigrate.checkpoint.SessionImage;
import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.emulator.DeviceAddressSpace;
import io.gpumigrate.device.emulator.EmulatorBackend;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a few small migrations between two in-memory emulator devices over loopback, so that a
 * fresh worker process has loaded, linked and begun compiling the transfer's code (Netty's
 * pipelines, the frame codecs, zstd's and xxHash's native libraries, chunk encoding and
 * applying) before a real migration needs it. Without it, the first migration of every worker
 * ran that code cold inside the session's pause: measured on the emulator, the final copy of a
 * 768 KiB session took 83 ms in a fresh JVM and 11 ms in the next.
 *
 * <p>Each run moves zero, compressible and random allocations (each chunk encoding), in
 * a prepared stop-and-copy, and checks that the target ends with the source's bytes, so a
 * warm-up that silently did nothing is reported. Thread-safe: each run uses devices of its own.
 */
public final class TransferWarmup {

    /** The environment variable with the number of warm-up migrations a worker runs; 0 turns it off. */
    public static final String RUNS_ENV = "GPUMIGRATE_TRANSFER_WARMUP";
    /** Runs when {@value #RUNS_ENV} is not set. */
    public static final int DEFAULT_RUNS = 3;

    private static final int CHUNK = 64 << 10;
    private static final int ALLOCATION = 2 << 20;
    private static final AddressRange WINDOW = new AddressRange(DeviceAddressSpace.WINDOW_BASE, 1L << 40);

    /**
     * What the warm-up did.
     *
     * @param runs        migrations run
     * @param bytesEach   device bytes each moved
     * @param firstMillis the first migration's final copy (cold code)
     * @param lastMillis  the last one's (warmer code)
     */
    public record Result(int runs, long bytesEach, double firstMillis, double lastMillis) {
        @Override
        public String toString() {
            return String.format("%d warm-up migrations of %d bytes, final copy %.1f ms first, %.1f ms last", runs,
                    bytesEach, firstMillis, lastMillis);
        }
    }

    private TransferWarmup() {
    }

    /** Runs from {@value #RUNS_ENV}, else {@link #DEFAULT_RUNS}; a value that is not a count is an error. */
    public static int configuredRuns() {
        String value = System.getenv(RUNS_ENV);
        if (value == null || value.isBlank()) {
            return DEFAULT_RUNS;
        }
        try {
            int runs = Integer.parseInt(value.trim());
            if (runs < 0 || runs > 100) {
                throw new NumberFormatException();
            }
            return runs;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(RUNS_ENV + "=" + value + " is not a number of warm-up runs from 0 to 100");
        }
    }

    /**
     * Runs {@code runs} loopback migrations of a few MiB.
     *
     * @throws IOException when one fails or ends with contents that differ from its source's
     */
    public static Result run(int runs) throws IOException, CudaException, InterruptedException {
        double first = 0;
        double last = 0;
        long bytes = 0;
        for (int i = 0; i < runs; i++) {
            try (EmulatorBackend source = new EmulatorBackend(64L << 20, 1);
                 EmulatorBackend target = new EmulatorBackend(64L << 20, 1)) {
                bytes = fill(source, i);
                last = migrate(source, target);
                if (i == 0) {
                    first = last;
                }
                check(source, target);
            }
        }
        return new Result(runs, bytes, first, last);
    }

    /** Places a zero, a compressible and a random allocation; returns their bytes. */
    private static long fill(EmulatorBackend device, int seed) throws CudaException {
        device.memAlloc(ALLOCATION); // zeros: sent as markers
        long text = device.memAlloc(ALLOCATION);
        long noise = device.memAlloc(ALLOCATION);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(ALLOCATION);
            for (long i = 0; i < ALLOCATION; i += Integer.BYTES) {
                host.set(ValueLayout.JAVA_INT_UNALIGNED, i, (int) (i / 256)); // runs: compresses well
            }
            device.copyHtoD(text, host, null);
            SplittableRandom random = new SplittableRandom(seed);
            for (long i = 0; i < ALLOCATION; i += Long.BYTES) {
                host.set(ValueLayout.JAVA_LONG_UNALIGNED, i, random.nextLong());
            }
            device.copyHtoD(noise, host, null);
        }
        return 3L * ALLOCATION;
    }

    /** A prepared stop-and-copy; returns the final copy's milliseconds. */
    private static double migrate(EmulatorBackend source, EmulatorBackend target)
            throws IOException, CudaException, InterruptedException {
        TransferOptions options = TransferOptions.defaults().withChunkSize(CHUNK);
        try (MigrationReceiver receiver = MigrationReceiver.listen(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), target, null, options);
             MigrationSender sender = MigrationSender.connect(receiver.address(), source, options)) {
            sender.prepare(source.allocations());
            long start = System.nanoTime();
            sender.finish(SessionImage.ofMemory(WINDOW, source.allocations()), ProgressListener.NONE);
            receiver.result().get(1, TimeUnit.MINUTES);
            return (System.nanoTime() - start) / 1e6;
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("the warm-up migration failed: " + e.getMessage(), e);
        }
    }

    private static void check(EmulatorBackend source, EmulatorBackend target) throws IOException, CudaException {
        if (!source.allocations().equals(target.allocations())) {
            throw new IOException("the warm-up migration placed " + target.allocations() + ", not "
                    + source.allocations());
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(ALLOCATION);
            MemorySegment b = arena.allocate(ALLOCATION);
            for (AddressRange r : source.allocations()) {
                source.copyDtoH(a, r.base(), null);
                target.copyDtoH(b, r.base(), null);
                if (a.mismatch(b) >= 0) {
                    throw new IOException("the warm-up migration changed the bytes at 0x" + Long.toHexString(r.base()));
                }
            }
        }
    }

}
