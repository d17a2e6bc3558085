package io.gpumigrate.checkpoint;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Throughput of the chunk codec on zero pages, random bytes and float32 model-like data:
 * one thread, and {@link ParallelChunkEncoder} on every core. Not a test: run it by hand,
 * {@code java -cp ... io.gpumigrate.checkpoint.ChunkCodecBenchmark [MiB per data set]}.
 */
public final class ChunkCodecBenchmark {

    private ChunkCodecBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 256;
        long bytes = mib << 20;
        ChunkCodec codec = new ChunkCodec();
        System.out.printf("chunk %d KiB, policy %s, %d cores, %d MiB per data set%n", codec.chunkSize() >> 10,
                codec.policy(), ChunkWorkers.threads(), mib);
        System.out.printf("%-8s %8s %8s %12s %12s %12s %12s%n", "data", "ratio", "zstd/raw", "hash GB/s",
                "enc1 GB/s", "encN GB/s", "dec1 GB/s");
        try (Arena arena = Arena.ofShared()) {
            measure("zero", arena.allocate(bytes, 4096), codec);
            measure("random", TestData.random(arena, bytes, 1), codec);
            measure("float32", TestData.floats(arena, bytes, 2), codec);
        }
    }

    private static void measure(String name, MemorySegment data, ChunkCodec codec) throws Exception {
        int chunk = codec.chunkSize();
        int chunks = (int) (data.byteSize() / chunk);
        MemorySegment out = Arena.ofAuto().allocate(codec.maxEncodedLength());
        MemorySegment scratch = Arena.ofAuto().allocate(chunk);
        for (int warm = 0; warm < 20; warm++) {
            MemorySegment c = data.asSlice((long) (warm % chunks) * chunk, chunk);
            codec.decode(codec.encode(0, c, out), scratch);
            ChunkDigest.ofChunk(c);
        }
        long t0 = System.nanoTime();
        long sink = 0;
        for (int i = 0; i < chunks; i++) {
            sink ^= ChunkDigest.ofChunk(data.asSlice((long) i * chunk, chunk));
        }
        double hash = gbps(data.byteSize(), t0);

        long stored = 0;
        int compressed = 0;
        double decodeSeconds = 0;
        t0 = System.nanoTime();
        long encodeNanos = 0;
        for (int i = 0; i < chunks; i++) {
            long s = System.nanoTime();
            EncodedChunk c = codec.encode((long) i * chunk, data.asSlice((long) i * chunk, chunk), out);
            encodeNanos += System.nanoTime() - s;
            stored += c.payloadLength();
            compressed += c.encoding() == ChunkEncoding.ZSTD ? 1 : 0;
            s = System.nanoTime();
            sink ^= codec.decode(c, scratch).byteSize();
            decodeSeconds += (System.nanoTime() - s) / 1e9;
        }
        double encode1 = data.byteSize() / (encodeNanos / 1e9) / 1e9;
        double decode1 = data.byteSize() / decodeSeconds / 1e9;

        AtomicLong parallelStored = new AtomicLong();
        ParallelChunkEncoder encoder = ParallelChunkEncoder.onSharedPool(codec, (c, release) -> {
            parallelStored.addAndGet(c.payloadLength());
            release.run();
        });
        t0 = System.nanoTime();
        for (int i = 0; i < chunks; i++) {
            ParallelChunkEncoder.Slot slot = encoder.acquire();
            slot.raw().copyFrom(data.asSlice((long) i * chunk, chunk)); // stands in for copyDtoH
            encoder.submit(slot, (long) i * chunk, chunk);
        }
        encoder.flush();
        double encodeN = gbps(data.byteSize(), t0);
        System.out.printf("%-8s %8.2f %5d/%-4d %12.2f %12.2f %12.2f %12.2f%s%n", name,
                stored == 0 ? Double.POSITIVE_INFINITY : (double) data.byteSize() / stored, compressed, chunks, hash,
                encode1, encodeN, decode1, sink == 42 ? " " : "");
    }

    private static double gbps(long bytes, long startNanos) {
        return bytes / ((System.nanoTime() - startNanos) / 1e9) / 1e9;
    }
}
