package io.gpumigrate.checkpoint.transfer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes {@link TransferMessage}s as frames ({@link TransferProtocol}). A chunk's payload is
 * not copied: the frame is its header followed by the payload buffer itself. Stateless,
 * shared by every channel.
 */
@ChannelHandler.Sharable
public final class TransferFrameEncoder extends MessageToMessageEncoder<TransferMessage> {

    public TransferFrameEncoder() {
        super(TransferMessage.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, TransferMessage msg, List<Object> out) {
        ByteBuf header = ctx.alloc().buffer(64);
        header.writeIntLE(0);
        switch (msg) {
            case TransferMessage.Hello h -> header.writeByte(TransferProtocol.HELLO).writeIntLE(TransferProtocol.MAGIC)
                    .writeShortLE(h.major()).writeShortLE(h.minor()).writeIntLE(h.chunkSize())
                    .writeIntLE(h.streams()).writeIntLE(h.stream());
            case TransferMessage.Allocations a -> {
                header.writeByte(TransferProtocol.ALLOCATIONS).writeIntLE(a.round()).writeIntLE(a.allocations().size());
                a.allocations().forEach(r -> header.writeLongLE(r.base()).writeLongLE(r.size()));
            }
            case TransferMessage.Chunk c -> {
                header.writeByte(TransferProtocol.CHUNK).writeLongLE(c.address()).writeIntLE(c.rawLength())
                        .writeByte(c.encoding().code()).writeLongLE(c.hash());
                header.setIntLE(0, header.readableBytes() - 4 + c.payload().readableBytes());
                out.add(Unpooled.wrappedBuffer(header, c.payload()));
                return;
            }
            case TransferMessage.Finish f -> {
                header.writeByte(TransferProtocol.FINISH).writeIntLE(f.sessionImage().length).writeBytes(f.sessionImage());
                header.writeIntLE(f.chunkHashes().length);
                for (long[] hashes : f.chunkHashes()) {
                    header.writeIntLE(hashes.length);
                    for (long h : hashes) {
                        header.writeLongLE(h);
                    }
                }
            }
            case TransferMessage.Modules m -> {
                header.writeByte(TransferProtocol.MODULES).writeIntLE(m.modules().size());
                for (var module : m.modules()) {
                    header.writeLongLE(module.handle()).writeIntLE(module.image().length).writeBytes(module.image());
                }
                header.writeIntLE(m.modules().size());
                for (var module : m.modules()) {
                    header.writeLongLE(module.globalsAt());
                }
            }
            case TransferMessage.Verified v -> header.writeByte(TransferProtocol.VERIFIED).writeLongLE(v.chunks())
                    .writeLongLE(v.bytes());
            case TransferMessage.Abort a -> {
                byte[] reason = a.reason().getBytes(StandardCharsets.UTF_8);
                header.writeByte(TransferProtocol.ABORT).writeIntLE(reason.length).writeBytes(reason);
            }
            case TransferMessage.LogBegin b -> writeStr(header.writeByte(TransferProtocol.LOG_BEGIN), b.directoryKey());
            case TransferMessage.LogData d -> {
                writeStr(header.writeByte(TransferProtocol.LOG_DATA), d.name()).writeLongLE(d.offset());
                header.setIntLE(0, header.readableBytes() - 4 + d.data().readableBytes());
                out.add(Unpooled.wrappedBuffer(header, d.data()));
                return;
            }
            case TransferMessage.LogEnd e -> {
                header.writeByte(TransferProtocol.LOG_END).writeIntLE(e.files().size());
                for (TransferMessage.LogFile f : e.files()) {
                    writeStr(header, f.name()).writeLongLE(f.size()).writeLongLE(f.hash());
                }
            }
        }
        header.setIntLE(0, header.readableBytes() - 4);
        out.add(header);
    }

    private static ByteBuf writeStr(ByteBuf out, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        return out.writeIntLE(bytes.length).writeBytes(bytes);
    }
}
