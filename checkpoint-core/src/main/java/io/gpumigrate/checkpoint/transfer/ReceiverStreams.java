package io.gpumigrate.checkpoint.transfer;

import io.netty.channel.Channel;
import io.netty.channel.socket.SocketChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The connections of one transfer as its {@link ReceiverSession} sees them: which stream each
 * one is ({@link ReceiverStream}), and the barriers across them. A stream that delivers a
 * barrier frame (ALLOCATIONS, FINISH) is held, queuing what follows and not reading, until every
 * stream has delivered it; then every stream goes on with what it queued. A connection that
 * belongs to no stream of the transfer (a second source) is refused, and an abort tells every
 * source why before the connections close.
 *
 * <p>Thread-safety: connections are added, looked up and forgotten from any event loop, and
 * {@link #abort} may run on any thread (the map is concurrent); the rest is guarded by the
 * session's monitor, which {@link #resumeReading} takes on each stream's event loop.
 */
final class ReceiverStreams {

    /** How long an aborting target waits for the source to read ABORT and close. */
    private static final long ABORT_LINGER_SECONDS = 10;

    /** The session's monitor. */
    private final Object lock;
    private final Map<Channel, ReceiverStream> streams = new ConcurrentHashMap<>();
    private int expected;
    private int arrived;

    ReceiverStreams(Object lock) {
        this.lock = lock;
    }

    /** A connection came up; it is no stream until its HELLO. */
    void connected(Channel channel) {
        streams.put(channel, new ReceiverStream(channel));
    }

    /** The stream of {@code channel}, or null when it never came up or is gone. */
    ReceiverStream get(Channel channel) {
        return streams.get(channel);
    }

    /** Forgets {@code channel} when it was refused; whether it was. */
    boolean removeRefused(Channel channel) {
        ReceiverStream s = streams.get(channel);
        if (s != null && s.refused) {
            streams.remove(channel);
            return true;
        }
        return false;
    }

    /** How many streams the transfer has, as its first HELLO said; 0 before. */
    int expected() {
        return expected;
    }

    void expect(int count) {
        expected = count;
    }

    /** Whether a stream of the transfer already has number {@code index}. */
    boolean taken(int index) {
        return streams.values().stream().anyMatch(s -> s.index == index && !s.refused);
    }

    /**
     * Holds {@code stream}, which delivered a barrier frame; whether every stream has delivered
     * it now (the barrier is taken, and the count starts again).
     */
    boolean arrive(ReceiverStream stream) {
        stream.held = true;
        stream.channel.config().setAutoRead(false);
        if (++arrived < expected || streams.values().stream().filter(s -> s.index >= 0).count() < expected) {
            return false;
        }
        arrived = 0;
        return true;
    }

    /** After a barrier: lets every stream read again, handing what it queued to {@code dispatch} until it is held again. */
    void releaseHeld(BiConsumer<ReceiverStream, TransferMessage> dispatch) {
        for (ReceiverStream s : streams.values()) {
            if (s.index < 0 || s.refused) {
                continue;
            }
            s.held = false;
            s.channel.config().setAutoRead(true);
            while (!s.held && !s.queue.isEmpty()) {
                dispatch.accept(s, s.queue.poll());
            }
        }
    }

    /** Lets every stream that is not held at a barrier read again. Any thread. */
    void resumeReading() {
        for (ReceiverStream s : streams.values()) {
            s.channel.eventLoop().execute(() -> {
                synchronized (lock) {
                    if (!s.held && !s.refused) {
                        s.channel.config().setAutoRead(true);
                    }
                }
            });
        }
    }

    /**
     * A connection that belongs to no stream of this transfer (a second source): ABORT, then
     * half-close and drop what arrives until it closes, so that a reset cannot destroy the
     * refusal before the source reads it. The transfer in progress goes on.
     */
    void refuse(ReceiverStream stream) {
        stream.refused = true;
        Channel ch = stream.channel;
        ch.writeAndFlush(new TransferMessage.Abort("this target already receives a migration"))
                .addListener(f -> ((SocketChannel) ch).shutdownOutput());
        ch.eventLoop().schedule(() -> ch.close(), ABORT_LINGER_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * Ends every stream of an aborted transfer: with ABORT and {@code reason} first when
     * {@code tellSource}, else at once. Any thread.
     */
    void abort(String reason, boolean tellSource) {
        for (ReceiverStream s : streams.values()) {
            Channel ch = s.channel;
            if (s.refused || !ch.isActive()) {
                continue;
            }
            if (tellSource && ch instanceof SocketChannel socket) {
                // Half-close after ABORT and keep reading (and dropping) until the source closes:
                // closing with its chunks unread would reset the connection, and a reset can
                // destroy the ABORT before the source reads why.
                socket.config().setAutoRead(true);
                socket.writeAndFlush(new TransferMessage.Abort(reason)).addListener(f -> socket.shutdownOutput());
                socket.eventLoop().schedule(() -> {
                    socket.close();
                }, ABORT_LINGER_SECONDS, TimeUnit.SECONDS);
            } else {
                ch.close();
            }
        }
    }
}
