package io.gpumigrate.worker.migration;

import io.gpumigrate.checkpoint.ProgressListener;
import io.gpumigrate.device.CuResult;
import io.gpumigrate.protocol.BodyWriter;
import io.gpumigrate.protocol.Frame;
import io.gpumigrate.protocol.Op;
import io.gpumigrate.protocol.Replies;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

import java.util.Locale;
import java.util.function.Consumer;

/**
 * Writes a control operation's frames to the agent: {@code PROGRESS} (at most one per
 * {@value #PROGRESS_INTERVAL_MILLIS} ms per phase, plus each phase's first and last) and the
 * final {@code REPLY}. Thread-safe (Netty orders the writes).
 */
public final class ControlChannel {

    static final long PROGRESS_INTERVAL_MILLIS = 100;

    private final Channel channel;
    private final long startNanos = System.nanoTime();
    private volatile long lastProgressNanos;
    private volatile ProgressListener.Phase lastPhase;

    ControlChannel(Channel channel) {
        this.channel = channel;
    }

    /** A listener that reports the progress of the call {@code seq} as PROGRESS frames. */
    ProgressListener progress(long seq) {
        return p -> {
            long now = System.nanoTime();
            boolean edge = p.phase() != lastPhase || p.bytesDone() >= p.bytesTotal();
            if (edge || now - lastProgressNanos >= PROGRESS_INTERVAL_MILLIS * 1_000_000) {
                lastPhase = p.phase();
                lastProgressNanos = now;
                progress(seq, p.phase().name().toLowerCase(Locale.ROOT).replace('_', '-'), p.bytesDone(), p.bytesTotal());
            }
        };
    }

    /** Sends one PROGRESS frame for the call {@code seq}. */
    void progress(long seq, String phase, long done, long total) {
        ByteBuf body = channel.alloc().buffer();
        new BodyWriter(body).str(phase).u64(done).u64(total).u64((System.nanoTime() - startNanos) / 1000);
        channel.writeAndFlush(Frame.of(Op.PROGRESS, false, seq, body), channel.voidPromise());
    }

    /** Replies success to {@code seq}, with the results {@code results} writes. */
    io.netty.channel.ChannelFuture success(long seq, Consumer<BodyWriter> results) {
        Frame reply = Replies.success(channel.alloc(), seq);
        results.accept(new BodyWriter(reply.body()));
        return channel.writeAndFlush(reply);
    }

    /** Replies an error to {@code seq}. */
    io.netty.channel.ChannelFuture error(long seq, int status, String message) {
        return channel.writeAndFlush(Replies.error(channel.alloc(), seq, status == CuResult.SUCCESS ? CuResult.UNKNOWN : status,
                io.gpumigrate.agent.migration.ControlConnection.plain(message)));
    }

    /** The address the agent reached this worker at. */
    java.net.InetSocketAddress localAddress() {
        return (java.net.InetSocketAddress) channel.localAddress();
    }

    void close() {
        channel.close();
    }

    boolean isActive() {
        return channel.isActive();
    }
}
