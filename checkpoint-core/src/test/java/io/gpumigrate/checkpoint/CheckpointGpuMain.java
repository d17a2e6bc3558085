package io.gpumigrate.checkpoint;

import io.gpumigrate.checkpoint.transfer.MigrationReceiver;
import io.gpumigrate.checkpoint.transfer.MigrationSender;
import io.gpumigrate.checkpoint.transfer.ReceivedImage;
import io.gpumigrate.checkpoint.transfer.RoundStats;
import io.gpumigrate.checkpoint.transfer.TransferOptions;
import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.DeviceBackend;
import io.gpumigrate.device.cuda.CudaBackend;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Checkpoint and migration on a real GPU (the CUDA backend), each side in its own process as
 * in production. Not a test: {@code checkpoint-core/src/test/gpu/checkpoint-gpu.sh} runs it.
 *
 * <pre>
 *   dump DIR MIB KIND          fill MIB of device memory, time a plain DtoH of it, dump it to DIR
 *   restore DIR KIND           restore DIR in a fresh process, check addresses and every chunk's hash
 *   receive PORT MIB KIND MODE listen, receive a migration, verify it as restore does
 *   send PORT MIB KIND MODE    fill, migrate; MODE stop (stop-and-copy) or precopy (a round, then
 *                              1 chunk in 16 changes, then the final round)
 * </pre>
 * KIND: zero, random or float32. Memory is filled as 256 MiB allocations, each from its own seed.
 */
public final class CheckpointGpuMain {

    private static final long BLOCK = 256L << 20;
    private static final int CHUNK = ChunkCodec.DEFAULT_CHUNK_SIZE;

    private CheckpointGpuMain() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "dump" -> dump(Path.of(args[1]), Long.parseLong(args[2]) << 20, args[3]);
            case "restore" -> restore(Path.of(args[1]), args[2]);
            case "receive" -> receive(Integer.parseInt(args[1]), Long.parseLong(args[2]) << 20, args[3], args[4]);
            case "send" -> send(Integer.parseInt(args[1]), Long.parseLong(args[2]) << 20, args[3], args[4]);
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    private static void dump(Path dir, long bytes, String kind) throws Exception {
        try (CudaBackend gpu = CudaBackend.open(0)) {
            SessionImage image = fill(gpu, bytes, kind);
            double plain = plainCopy(gpu, image.allocations());
            digestCheck(gpu, image, kind);
            CheckpointStats stats = new CheckpointWriter().write(image, gpu, dir, ProgressListener.NONE);
            System.out.printf("dump %s %d MiB: plain DtoH %.2f GB/s, dump %.2f GB/s (%.2f s), %d zero + %d zstd of %d"
                    + " chunks, %.1f MiB on disk, first allocation at 0x%x%n", kind, bytes >> 20, plain,
                    stats.bytesPerSecond() / 1e9, stats.seconds(), stats.zeroChunks(), stats.zstdChunks(), stats.chunks(),
                    onDisk(dir) / 1048576.0, image.allocations().getFirst().base());
        }
    }

    private static void restore(Path dir, String kind) throws Exception {
        try (CudaBackend gpu = CudaBackend.open(0)) {
            long t0 = System.nanoTime();
            SessionImage image = CheckpointReader.restore(dir, gpu, ProgressListener.NONE);
            double seconds = (System.nanoTime() - t0) / 1e9;
            verify(gpu, image, kind, false);
            System.out.printf("restore %s %d MiB: %.2f GB/s (%.2f s incl. checks); %d allocations at their addresses,"
                    + " every chunk verified%n", kind, image.allocatedBytes() >> 20, image.allocatedBytes() / seconds / 1e9,
                    seconds, image.allocations().size());
        }
    }

    private static void receive(int port, long bytes, String kind, String mode) throws Exception {
        try (CudaBackend gpu = CudaBackend.open(0);
             MigrationReceiver receiver = MigrationReceiver.listen(
                     new InetSocketAddress(InetAddress.getLoopbackAddress(), port), gpu, null, options())) {
            System.out.println("receiver listening on " + receiver.address());
            ReceivedImage got = receiver.result().get(10, TimeUnit.MINUTES);
            // the apply thread is done with the backend once the result is complete
            verify(gpu, got.image(), kind, mode.equals("precopy"));
            System.out.printf("receive %s %d MiB (%s): %d chunks, %d allocations at their addresses, every chunk"
                    + " verified%n", kind, bytes >> 20, mode, got.chunks(), got.image().allocations().size());
        }
    }

    private static void send(int port, long bytes, String kind, String mode) throws Exception {
        try (CudaBackend gpu = CudaBackend.open(0)) {
            SessionImage image = fill(gpu, bytes, kind);
            double plain = plainCopy(gpu, image.allocations());
            InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            try (MigrationSender sender = connect(target, gpu)) {
                long t0 = System.nanoTime();
                String rounds = "";
                if (mode.equals("precopy")) {
                    RoundStats first = sender.sendRound(gpu.allocations(), ProgressListener.NONE);
                    rounds = String.format("pre-copy %.2f GB/s (%.2f s), ", first.bytesPerSecond() / 1e9, first.seconds());
                    dirtyEverySixteenth(gpu, image.allocations());
                    t0 = System.nanoTime();
                }
                RoundStats last = sender.finish(image, ProgressListener.NONE);
                double seconds = (System.nanoTime() - t0) / 1e9;
                System.out.printf("send %s %d MiB (%s): plain DtoH %.2f GB/s; %sfinal round %d chunks, %.1f MiB on the wire,"
                        + " until VERIFIED %.3f s = %.2f GB/s of session memory%n", kind, bytes >> 20, mode, plain, rounds,
                        last.chunksSent(), last.wireBytes() / 1048576.0, seconds, bytes / seconds / 1e9);
            }
        }
    }

    /** The transfer options: defaults, with {@code -Dgpumigrate.streams=N} connections. */
    private static TransferOptions options() {
        return TransferOptions.defaults().withStreams(Integer.getInteger("gpumigrate.streams", TransferOptions.DEFAULT_STREAMS));
    }

    /**
     * Times {@code chunkDigests} over the whole session (on the GPU when the kernels load) and
     * checks the digests of the first allocation against the CPU's {@link ChunkDigest#ofChunk}.
     */
    private static void digestCheck(CudaBackend gpu, SessionImage image, String kind) throws Exception {
        gpu.chunkDigests(image.allocations().getFirst().base(), CHUNK, CHUNK); // loads the kernels
        long t0 = System.nanoTime();
        int zero = 0;
        for (AddressRange a : image.allocations()) {
            zero += gpu.chunkDigests(a.base(), a.size(), CHUNK).zero().cardinality();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        AddressRange first = image.allocations().getFirst();
        io.gpumigrate.device.ChunkDigests digests = gpu.chunkDigests(first.base(), first.size(), CHUNK);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(first.size(), 4096);
            gpu.copyDtoH(host, first.base(), null);
            MemorySegment zeros = arena.allocate(CHUNK, 4096);
            for (int i = 0; i < digests.count(); i++) {
                MemorySegment chunk = host.asSlice((long) i * CHUNK, Math.min(CHUNK, first.size() - (long) i * CHUNK));
                boolean isZero = MemorySegment.mismatch(chunk, 0, chunk.byteSize(),
                        zeros, 0, chunk.byteSize()) == -1;
                if (digests.hashes()[i] != ChunkDigest.ofChunk(chunk) || digests.isZero(i) != isZero) {
                    throw new AssertionError("chunk " + i + ": the device's digest or zero flag differs from the CPU's");
                }
            }
        }
        System.out.printf("digests %s %d MiB: on device %b, %.2f ms = %.1f GB/s, %d zero chunks; first allocation "
                + "matches the CPU%n", kind, image.allocatedBytes() >> 20, gpu.digestsOnDevice(), seconds * 1e3,
                image.allocatedBytes() / seconds / 1e9, zero);
    }

    private static MigrationSender connect(InetSocketAddress target, DeviceBackend gpu) throws Exception {
        for (int attempt = 0; ; attempt++) {
            try {
                return MigrationSender.connect(target, gpu, options());
            } catch (IOException e) {
                if (attempt == 300) {
                    throw e;
                }
                TimeUnit.MILLISECONDS.sleep(100); // the receiver process is still starting
            }
        }
    }

    /** Allocates {@code bytes} as 256 MiB allocations and fills each from its own seed. */
    private static SessionImage fill(DeviceBackend gpu, long bytes, String kind) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment host = arena.allocate(BLOCK, 4096);
            for (long done = 0, seed = 1; done < bytes; done += BLOCK, seed++) {
                long size = Math.min(BLOCK, bytes - done);
                long address = gpu.memAlloc(size);
                generate(host.asSlice(0, size), kind, seed);
                gpu.copyHtoD(address, host.asSlice(0, size), null);
            }
        }
        return SessionImage.ofMemory(new AddressRange(CudaBackend.DEFAULT_WINDOW_BASE, 1L << 40), gpu.allocations());
    }

    private static void dirtyEverySixteenth(DeviceBackend gpu, List<AddressRange> allocations) throws Exception {
        for (AddressRange a : allocations) {
            for (long off = 0; off < a.size(); off += 16L * CHUNK) {
                gpu.memset(a.base() + off, 0x5A, 1, 1, null);
            }
        }
    }

    /** Checks every chunk's hash on the device against regenerated contents. */
    private static void verify(DeviceBackend gpu, SessionImage image, String kind, boolean dirtied) throws Exception {
        if (!gpu.allocations().equals(image.allocations())) {
            throw new AssertionError("allocations " + gpu.allocations() + " differ from the image's " + image.allocations());
        }
        try (Arena arena = Arena.ofShared()) {
            MemorySegment host = arena.allocate(BLOCK, 4096);
            long seed = 1;
            for (AddressRange a : image.allocations()) {
                MemorySegment expected = host.asSlice(0, a.size());
                generate(expected, kind, seed++);
                if (dirtied) {
                    for (long off = 0; off < a.size(); off += 16L * CHUNK) {
                        expected.set(ValueLayout.JAVA_BYTE, off, (byte) 0x5A);
                    }
                }
                long[] actual = gpu.chunkHashes(a.base(), a.size(), CHUNK);
                for (int i = 0; i < actual.length; i++) {
                    long h = ChunkDigest.ofChunk(expected.asSlice((long) i * CHUNK, Math.min(CHUNK, a.size() - (long) i * CHUNK)));
                    if (h != actual[i]) {
                        throw new AssertionError("chunk " + i + " of the allocation at 0x" + Long.toHexString(a.base())
                                + " differs after the restore");
                    }
                }
            }
        }
    }

    private static double plainCopy(DeviceBackend gpu, List<AddressRange> allocations) throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(BLOCK, 4096);
            long bytes = 0;
            long t0 = System.nanoTime();
            for (AddressRange a : allocations) {
                gpu.copyDtoH(host.asSlice(0, a.size()), a.base(), null);
                bytes += a.size();
            }
            return bytes / ((System.nanoTime() - t0) / 1e9) / 1e9;
        }
    }

    /** Fills {@code s} in parallel, 2 MiB at a time, each piece from a seed derived from {@code seed}. */
    private static void generate(MemorySegment s, String kind, long seed) {
        int pieces = (int) ((s.byteSize() + CHUNK - 1) / CHUNK);
        IntStream.range(0, pieces).parallel().forEach(p -> {
            MemorySegment piece = s.asSlice((long) p * CHUNK, Math.min(CHUNK, s.byteSize() - (long) p * CHUNK));
            SplittableRandom random = new SplittableRandom(seed * 1_000_003L + p);
            switch (kind) {
                case "zero" -> piece.fill((byte) 0);
                case "random" -> {
                    for (long i = 0; i + 8 <= piece.byteSize(); i += 8) {
                        piece.set(ValueLayout.JAVA_LONG_UNALIGNED, i, random.nextLong());
                    }
                }
                case "float32" -> {
                    for (long i = 0; i + 4 <= piece.byteSize(); i += 4) {
                        piece.set(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) (random.nextGaussian() * 0.02));
                    }
                }
                default -> throw new IllegalArgumentException("kind " + kind + ": zero, random or float32");
            }
        });
    }

    private static long onDisk(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
