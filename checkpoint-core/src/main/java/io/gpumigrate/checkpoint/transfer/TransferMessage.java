package io.gpumigrate.checkpoint.transfer;

import io.gpumigrate.checkpoint.ChunkEncoding;
import io.gpumigrate.device.AddressRange;
import io.netty.buffer.ByteBuf;
import java.util.List;

/** A decoded frame of the migration stream ({@link TransferProtocol}). */
public sealed interface TransferMessage {

    record Hello(int major, int minor, int chunkSize) implements TransferMessage {
    }

    record Allocations(int round, List<AddressRange> allocations) implements TransferMessage {
        public Allocations {
            allocations = List.copyOf(allocations);
        }
    }

    /**
     * One chunk. Whoever holds the message owns {@code payload} and releases it once: the
     * encoder after writing it, the receiver after applying it.
     */
    record Chunk(long address, int rawLength, ChunkEncoding encoding, long hash, ByteBuf payload)
            implements TransferMessage {
    }

    /** The session state and the final hash of every chunk, per allocation in the image's order. */
    record Finish(byte[] sessionImage, long[][] chunkHashes) implements TransferMessage {
    }

    record Verified(long chunks, long bytes) implements TransferMessage {
    }

    record Abort(String reason) implements TransferMessage {
    }
}
