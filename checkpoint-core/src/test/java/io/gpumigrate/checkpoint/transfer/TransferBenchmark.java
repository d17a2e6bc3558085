package io.gpumigrate.checkpoint.transfer;

import io.gpumigrate.checkpoint.ChunkCodec;
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
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Migration over loopback between two emulator backends, beside a plain device-to-host read of
 * the same bytes: a first round into a fresh target (the emulator's first touch of target memory
 * included), then a final round after every chunk changed (the source's hashing pass included). Not a test: run it by hand,
 * {@code java -cp ... io.gpumigrate.checkpoint.transfer.TransferBenchmark [MiB [STREAMS...]]} (default: 256 MiB,
 * over 1 and then 4 connections).
 */
public final class TransferBenchmark {

    private TransferBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 256;
        int[] streams = args.length > 1 ? java.util.Arrays.stream(args, 1, args.length).mapToInt(Integer::parseInt).toArray()
                : new int[] {1, TransferOptions.DEFAULT_STREAMS};
        System.out.printf("%-8s %7s %10s %10s %12s %12s %12s%n", "data", "streams", "MiB", "wire MiB", "DtoH GB/s",
                "first GB/s", "resend GB/s");
        for (int n : streams) {
            for (String kind : new String[] {"zero", "random", "float32"}) {
                run(kind, mib << 20, n);
            }
        }
    }

    private static void run(String kind, long bytes, int streams) throws Exception {
        try (EmulatorBackend source = new EmulatorBackend(bytes + (64 << 20));
             EmulatorBackend target = new EmulatorBackend(bytes + (64 << 20));
             Arena arena = Arena.ofShared()) {
            long address = source.memAlloc(bytes);
            MemorySegment host = arena.allocate(bytes, 4096);
            fill(kind, host);
            source.copyHtoD(address, host, null);

            long t0 = System.nanoTime();
            MemorySegment staging = arena.allocate(ChunkCodec.DEFAULT_CHUNK_SIZE);
            for (long off = 0; off < bytes; off += staging.byteSize()) {
                source.copyDtoH(staging.asSlice(0, Math.min(staging.byteSize(), bytes - off)), address + off, null);
            }
            double copy = bytes / ((System.nanoTime() - t0) / 1e9) / 1e9;

            TransferOptions options = TransferOptions.defaults().withStreams(streams);
            SessionImage image = SessionImage.ofMemory(new AddressRange(DeviceAddressSpace.WINDOW_BASE, 1L << 40),
                    source.allocations());
            try (MigrationReceiver receiver = MigrationReceiver.listen(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), target, null, options);
                 MigrationSender sender = MigrationSender.connect(receiver.address(), source, options)) {
                t0 = System.nanoTime();
                RoundStats first = sender.sendRound(source.allocations(), ProgressListener.NONE);
                double fresh = bytes / ((System.nanoTime() - t0) / 1e9) / 1e9;
                for (long off = 0; off < bytes; off += ChunkCodec.DEFAULT_CHUNK_SIZE) {
                    source.memset(address + off, 0x5A, 1, 1, null); // every chunk dirty again
                }
                t0 = System.nanoTime();
                RoundStats last = sender.finish(image, ProgressListener.NONE);
                double resend = bytes / ((System.nanoTime() - t0) / 1e9) / 1e9;
                receiver.result().get(60, TimeUnit.SECONDS);
                System.out.printf("%-8s %7d %10d %10.1f %12.2f %12.2f %12.2f%n", kind, streams, bytes >> 20,
                        first.wireBytes() / 1048576.0, copy, fresh, resend);
                if (last.chunksSent() < first.chunksSent() * 9 / 10) { // a chunk whose first byte was 0x5A stays clean
                    throw new AssertionError("expected about every chunk re-sent: " + last);
                }
            }
        }
    }

    private static void fill(String kind, MemorySegment s) {
        SplittableRandom random = new SplittableRandom(1);
        switch (kind) {
            case "zero" -> s.fill((byte) 0);
            case "random" -> {
                for (long i = 0; i < s.byteSize(); i += 8) {
                    s.set(ValueLayout.JAVA_LONG_UNALIGNED, i, random.nextLong());
                }
            }
            default -> {
                for (long i = 0; i < s.byteSize(); i += 4) {
                    s.set(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) (random.nextGaussian() * 0.02));
                }
            }
        }
    }
}
