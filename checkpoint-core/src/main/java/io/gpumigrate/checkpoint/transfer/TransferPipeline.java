package io.gpumigrate.checkpoint.transfer;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.nio.ByteOrder;
import java.util.function.Consumer;

/** Composes a migration channel's pipeline in reading order: framing, codec, then the side's logic. */
final class TransferPipeline {

    private static final TransferFrameEncoder ENCODER = new TransferFrameEncoder();

    private TransferPipeline() {
    }

    /**
     * @param hook runs last, with the pipeline complete: a handler it adds at the end sees every
     *             outgoing message first (tests use it to corrupt or cut a transfer)
     */
    static void configure(ChannelPipeline pipeline, ChannelHandler logic, Consumer<ChannelPipeline> hook) {
        LengthFieldBasedFrameDecoder framer = new LengthFieldBasedFrameDecoder(ByteOrder.LITTLE_ENDIAN,
                TransferProtocol.MAX_FRAME_LENGTH + 4, 0, 4, 0, 4, true);
        // keep what the socket reads as it is, without merging it into one buffer on the I/O thread:
        // a chunk's payload is copied once, where it is decoded, on the chunk pool
        framer.setCumulator(ByteToMessageDecoder.COMPOSITE_CUMULATOR);
        pipeline.addLast("framer", framer);
        pipeline.addLast("decoder", new TransferFrameDecoder());
        pipeline.addLast("encoder", ENCODER);
        pipeline.addLast("logic", logic);
        hook.accept(pipeline);
    }
}
