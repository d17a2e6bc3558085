package io.gpumigrate.checkpoint.transfer;

import io.gpumigrate.checkpoint.ChunkEncoding;
import io.gpumigrate.checkpoint.SessionImage;
import io.gpumigrate.device.AddressRange;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns whole frames (the length already stripped by a {@code LengthFieldBasedFrameDecoder})
 * into {@link TransferMessage}s. A chunk's payload is a retained slice of the frame, not a
 * copy. Stateless, but not {@code @Sharable} by Netty's convention for decoders.
 */
public final class TransferFrameDecoder extends MessageToMessageDecoder<ByteBuf> {

    public TransferFrameDecoder() {
        super(ByteBuf.class);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        try {
            out.add(parse(frame));
        } catch (IndexOutOfBoundsException e) {
            throw new TransferFrameException("frame of " + frame.capacity() + " bytes ends early: " + e.getMessage());
        }
    }

    private static TransferMessage parse(ByteBuf f) {
        int type = f.readUnsignedByte();
        return switch (type) {
            case TransferProtocol.HELLO -> {
                int magic = f.readIntLE();
                if (magic != TransferProtocol.MAGIC) {
                    throw new TransferFrameException("Invalid magic number: 0x" + Integer.toHexString(magic));
                }
                int major = f.readUnsignedShortLE();
                int minor = f.readUnsignedShortLE();
                int chunkSize = f.readIntLE();
                if (f.readableBytes() < 8) {
                    yield new TransferMessage.Hello(major, minor, chunkSize); // a 1.x source: one connection
                }
                yield new TransferMessage.Hello(major, minor, chunkSize, f.readIntLE(), f.readIntLE());
            }
            case TransferProtocol.ALLOCATIONS -> {
                int round = f.readIntLE();
                int n = count(f, 16);
                List<AddressRange> ranges = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    ranges.add(new AddressRange(f.readLongLE(), f.readLongLE()));
                }
                yield new TransferMessage.Allocations(round, ranges);
            }
            case TransferProtocol.CHUNK -> {
                long address = f.readLongLE();
                int rawLength = f.readIntLE();
                ChunkEncoding encoding;
                try {
                    encoding = ChunkEncoding.ofCode(f.readUnsignedByte());
                } catch (IllegalArgumentException e) {
                    throw new TransferFrameException(e.getMessage());
                }
                long hash = f.readLongLE();
                yield new TransferMessage.Chunk(address, rawLength, encoding, hash, f.readRetainedSlice(f.readableBytes()));
            }
            case TransferProtocol.FINISH -> {
                byte[] image = new byte[count(f, 1)];
                f.readBytes(image);
                long[][] hashes = new long[count(f, 4)][];
                for (int i = 0; i < hashes.length; i++) {
                    hashes[i] = new long[count(f, 8)];
                    for (int j = 0; j < hashes[i].length; j++) {
                        hashes[i][j] = f.readLongLE();
                    }
                }
                yield new TransferMessage.Finish(image, hashes);
            }
            case TransferProtocol.MODULES -> {
                int n = count(f, 12);
                List<SessionImage.Module> modules = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    long handle = f.readLongLE();
                    byte[] image = new byte[count(f, 1)];
                    f.readBytes(image);
                    modules.add(new SessionImage.Module(handle, image));
                }
                if (f.isReadable()) { // since 2.2: where each module's globals lie
                    int placed = count(f, 8);
                    for (int i = 0; i < placed && i < n; i++) {
                        SessionImage.Module m = modules.get(i);
                        modules.set(i, new SessionImage.Module(m.handle(), m.image(), f.readLongLE(), new byte[0]));
                    }
                }
                yield new TransferMessage.Modules(modules);
            }
            case TransferProtocol.VERIFIED -> new TransferMessage.Verified(f.readLongLE(), f.readLongLE());
            case TransferProtocol.ABORT -> {
                byte[] reason = new byte[count(f, 1)];
                f.readBytes(reason);
                yield new TransferMessage.Abort(new String(reason, StandardCharsets.UTF_8));
            }
            case TransferProtocol.LOG_BEGIN -> new TransferMessage.LogBegin(str(f));
            case TransferProtocol.LOG_DATA -> new TransferMessage.LogData(str(f), f.readLongLE(),
                    f.readRetainedSlice(f.readableBytes()));
            case TransferProtocol.LOG_END -> {
                int n = count(f, 20);
                List<TransferMessage.LogFile> files = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    files.add(new TransferMessage.LogFile(str(f), f.readLongLE(), f.readLongLE()));
                }
                yield new TransferMessage.LogEnd(files);
            }
            default -> throw new TransferFrameException("unknown frame type " + type + ", expected 1 to 10");
        };
    }

    private static String str(ByteBuf f) {
        byte[] bytes = new byte[count(f, 1)];
        f.readBytes(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** A count of elements of at least {@code elementBytes} each, checked against what remains. */
    private static int count(ByteBuf f, int elementBytes) {
        long n = f.readUnsignedIntLE();
        if (n * elementBytes > f.readableBytes()) {
            throw new TransferFrameException("count " + n + " of " + elementBytes + "-byte elements exceeds the "
                    + f.readableBytes() + " bytes left in the frame");
        }
        return (int) n;
    }
}
