package io.gpumigrate.checkpoint.transfer;

import io.gpumigrate.checkpoint.ChunkCodec;
import io.gpumigrate.checkpoint.CompressionPolicy;
import io.netty.channel.ChannelPipeline;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Settings of a migration transfer, for either side.
 *
 * @param chunkSize      bytes per chunk (the sender's decides; a receiver takes the sender's)
 * @param compression    when the sender compresses a chunk
 * @param inFlight       chunks a side holds at once (encoding or writing, decoding or applying), 1 to 1024
 * @param verifyTimeout  how long the sender waits for VERIFIED after FINISH
 * @param pipelineHook   runs on each new channel's complete pipeline; for tests that corrupt or cut a transfer
 * @param streams        TCP connections the sender opens and stripes chunks over, 1 to
 *                       {@link TransferProtocol#MAX_STREAMS}; a receiver accepts as many as its sender
 *                       announces and runs up to this many I/O threads (at most 8)
 */
public record TransferOptions(int chunkSize, CompressionPolicy compression, int inFlight, Duration verifyTimeout,
                              Consumer<ChannelPipeline> pipelineHook, int streams) {

    /** The default number of connections: one loopback or 25 GbE stream rarely carries more than 3-4 GB/s. */
    public static final int DEFAULT_STREAMS = 4;

    public TransferOptions {
        ChunkCodec.checkChunkSize(chunkSize);
        java.util.Objects.requireNonNull(compression, "compression");
        if (inFlight < 1 || inFlight > 1024) {
            throw new IllegalArgumentException("in-flight chunks " + inFlight + " is outside 1 to 1024");
        }
        if (verifyTimeout.isNegative() || verifyTimeout.isZero()) {
            throw new IllegalArgumentException("verify timeout " + verifyTimeout + " must be positive");
        }
        if (streams < 1 || streams > TransferProtocol.MAX_STREAMS) {
            throw new IllegalArgumentException("streams " + streams + " is outside 1 to " + TransferProtocol.MAX_STREAMS);
        }
    }

    /** Options with the {@link #DEFAULT_STREAMS default number of connections}. */
    public TransferOptions(int chunkSize, CompressionPolicy compression, int inFlight, Duration verifyTimeout,
                           Consumer<ChannelPipeline> pipelineHook) {
        this(chunkSize, compression, inFlight, verifyTimeout, pipelineHook, DEFAULT_STREAMS);
    }

    /** The environment variable that overrides {@link #defaultStreams()}: 1 to {@link TransferProtocol#MAX_STREAMS}. */
    public static final String STREAMS_ENV = "GPUMIGRATE_TRANSFER_STREAMS";

    /**
     * 2 MiB chunks, compression where it pays, two chunks in flight per core, five minutes to
     * verify, {@link #defaultStreams()} connections.
     */
    public static TransferOptions defaults() {
        return new TransferOptions(ChunkCodec.DEFAULT_CHUNK_SIZE, CompressionPolicy.DEFAULT,
                2 * Runtime.getRuntime().availableProcessors() + 2, Duration.ofMinutes(5), p -> { }, defaultStreams());
    }

    /**
     * Connections of {@link #defaults()}: {@value #STREAMS_ENV} when set, else one per two cores
     * between {@link #DEFAULT_STREAMS} and 8 (a loopback stream carries about 4 GB/s, so random
     * data at a GPU's copy rate needs several; 16 cores give 8).
     *
     * @throws IllegalArgumentException when the variable is not a number from 1 to {@link TransferProtocol#MAX_STREAMS}
     */
    public static int defaultStreams() {
        String set = System.getenv(STREAMS_ENV);
        if (set != null && !set.isBlank()) {
            int n;
            try {
                n = Integer.parseInt(set.trim());
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 1 || n > TransferProtocol.MAX_STREAMS) {
                throw new IllegalArgumentException(STREAMS_ENV + "=" + set + " is not a number from 1 to "
                        + TransferProtocol.MAX_STREAMS);
            }
            return n;
        }
        return Math.max(DEFAULT_STREAMS, Math.min(8, Runtime.getRuntime().availableProcessors() / 2));
    }

    public TransferOptions withChunkSize(int bytes) {
        return new TransferOptions(bytes, compression, inFlight, verifyTimeout, pipelineHook, streams);
    }

    public TransferOptions withStreams(int connections) {
        return new TransferOptions(chunkSize, compression, inFlight, verifyTimeout, pipelineHook, connections);
    }

    public TransferOptions withPipelineHook(Consumer<ChannelPipeline> hook) {
        return new TransferOptions(chunkSize, compression, inFlight, verifyTimeout, hook, streams);
    }

    public TransferOptions withVerifyTimeout(Duration timeout) {
        return new TransferOptions(chunkSize, compression, inFlight, timeout, pipelineHook, streams);
    }
}
