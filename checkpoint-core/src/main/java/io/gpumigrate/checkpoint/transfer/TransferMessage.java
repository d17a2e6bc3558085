package io.gpumigrate.checkpoint.transfer;

import io.gpumigrate.checkpoint.ChunkEncoding;
import io.gpumigrate.checkpoint.SessionImage;
import io.gpumigrate.device.AddressRange;
import io.netty.buffer.ByteBuf;
import java.util.List;

/** A decoded frame of the migration stream ({@link TransferProtocol}). */
public sealed interface TransferMessage {

    /**
     * The first frame of every connection. {@code streams} connections (1 to
     * {@link TransferProtocol#MAX_STREAMS}) carry one transfer; this one is number {@code stream}
     * (0, the primary, carries FINISH and VERIFIED).
     */
    record Hello(int major, int minor, int chunkSize, int streams, int stream) implements TransferMessage {

        /** A transfer over one connection (what a 1.x HELLO decodes to). */
        public Hello(int major, int minor, int chunkSize) {
            this(major, minor, chunkSize, 1, 0);
        }
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
        /** Bytes of the frame after its length field, as {@link TransferFrameEncoder} writes it. */
        long frameLength() {
            long length = 1 + 4 + sessionImage.length + 4;
            for (long[] hashes : chunkHashes) {
                length += 4 + 8L * hashes.length;
            }
            return length;
        }
    }

    /** Module images the target may load before the pause; travels on stream 0. */
    record Modules(List<SessionImage.Module> modules) implements TransferMessage {
        public Modules {
            modules = List.copyOf(modules);
        }
    }

    record Verified(long chunks, long bytes) implements TransferMessage {
    }

    record Abort(String reason) implements TransferMessage {
    }

    /**
     * Since 2.1: the session's replay log follows on stream 0. {@code directoryKey} names the
     * source's log directory ({@link LogShipper#directoryKey}): a target whose own log directory
     * has the same key shares it with the source and keeps nothing it is sent.
     */
    record LogBegin(String directoryKey) implements TransferMessage {
    }

    /**
     * Since 2.1: bytes {@code offset .. offset + data length} of the log file {@code name} (a
     * relative path with {@code /} separators). The pieces of one file arrive in order and
     * without holes. Whoever holds the message owns {@code data} and releases it once.
     */
    record LogData(String name, long offset, ByteBuf data) implements TransferMessage {
    }

    /** Since 2.1, sent in the pause before FINISH: every file of the log, as the source has it now. */
    record LogEnd(List<LogFile> files) implements TransferMessage {
        public LogEnd {
            files = List.copyOf(files);
        }
    }

    /** A log file's final length and the xxHash64 (seed 0) of all its bytes. */
    record LogFile(String name, long size, long hash) {
    }
}
