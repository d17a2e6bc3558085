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
 */
public record TransferOptions(int chunkSize, CompressionPolicy compression, int inFlight, Duration verifyTimeout,
                              Consumer<ChannelPipeline> pipelineHook) {

    public TransferOptions {
        ChunkCodec.checkChunkSize(chunkSize);
        java.util.Objects.requireNonNull(compression, "compression");
        if (inFlight < 1 || inFlight > 1024) {
            throw new IllegalArgumentException("in-flight chunks " + inFlight + " is outside 1 to 1024");
        }
        if (verifyTimeout.isNegative() || verifyTimeout.isZero()) {
            throw new IllegalArgumentException("verify timeout " + verifyTimeout + " must be positive");
        }
    }

    /** 2 MiB chunks, compression where it pays, two chunks in flight per core, five minutes to verify. */
    public static TransferOptions defaults() {
        return new TransferOptions(ChunkCodec.DEFAULT_CHUNK_SIZE, CompressionPolicy.DEFAULT,
                2 * Runtime.getRuntime().availableProcessors() + 2, Duration.ofMinutes(5), p -> { });
    }

    public TransferOptions withChunkSize(int bytes) {
        return new TransferOptions(bytes, compression, inFlight, verifyTimeout, pipelineHook);
    }

    public TransferOptions withPipelineHook(Consumer<ChannelPipeline> hook) {
        return new TransferOptions(chunkSize, compression, inFlight, verifyTimeout, hook);
    }

    public TransferOptions withVerifyTimeout(Duration timeout) {
        return new TransferOptions(chunkSize, compression, inFlight, timeout, pipelineHook);
    }
}
