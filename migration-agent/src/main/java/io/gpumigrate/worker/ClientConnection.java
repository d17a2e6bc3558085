package io.gpumigrate.worker;

import io.gpumigrate.protocol.Frame;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.SocketChannel;

import java.util.concurrent.TimeUnit;

/**
 * A session's client connection, as a pause and a redirect treat it. Paused, the session reads
 * nothing from it: the client's further calls (up to its window of tens of thousands) wait in
 * the socket and in the client's resend buffer instead of costing the connection's event loop,
 * which a migration's control connection shares, and the session's thread a hand-off each,
 * inside the pause. Redirected, it gets MIGRATED (or CHECKPOINTED) after every reply, then the
 * end of the output; what the client still sends is read and dropped, so that a client blocked
 * writing into the paused connection gets to read MIGRATED, and the connection closes once the
 * client closes it (at most {@value #REDIRECT_LINGER_SECONDS} s later): closing it first could
 * reset it before the client read MIGRATED. Thread-safe.
 */
final class ClientConnection {

    /** How long a redirected client's connection stays open for the client to read MIGRATED and close it. */
    static final long REDIRECT_LINGER_SECONDS = 10;

    private volatile Channel channel;
    /** The connection once redirected, until it closes; else null. */
    private volatile Channel redirected;

    /** The client's connection, once attached. */
    void attached(Channel connection) {
        channel = connection;
    }

    /** Stops reading the client's calls (a pause). */
    void stopReading() {
        Channel c = channel;
        if (c != null) {
            c.config().setAutoRead(false);
        }
    }

    /** Reads the client's calls again (a resume). */
    void resumeReading() {
        Channel c = channel;
        if (c != null) {
            c.config().setAutoRead(true);
        }
    }

    /** Writes {@code frame} after every reply already written and ends the connection as the class says. */
    void redirect(Frame frame) {
        Channel c = channel;
        if (c instanceof SocketChannel socket) {
            redirected = socket;
            socket.writeAndFlush(frame).addListener(f -> {
                if (!f.isSuccess()) {
                    socket.close();
                    return;
                }
                socket.shutdownOutput();
                socket.config().setAutoRead(true);
                socket.eventLoop().schedule(() -> socket.close(), REDIRECT_LINGER_SECONDS, TimeUnit.SECONDS);
            });
        } else if (c != null) {
            c.writeAndFlush(frame).addListener(ChannelFutureListener.CLOSE);
        } else {
            frame.release();
        }
    }

    /** After {@link #redirect}: waits until the client has closed the connection (bounded by the linger). */
    void awaitRedirectedClose() {
        Channel c = redirected;
        if (c != null) {
            c.closeFuture().awaitUninterruptibly(REDIRECT_LINGER_SECONDS + 1, TimeUnit.SECONDS);
        }
    }
}
