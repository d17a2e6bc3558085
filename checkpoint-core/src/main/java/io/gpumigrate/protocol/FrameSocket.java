package io.gpumigrate.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A blocking connection that speaks frames over a plain socket: for command-line tools and
 * tests, where Netty's event loops would be more machinery than the job needs. Received
 * frames are checked like {@link CallFrameDecoder} checks them.
 *
 * <p>Not thread-safe: one thread sends and receives. Received frames have unpooled heap
 * bodies, owned by the caller.
 */
public final class FrameSocket implements Closeable {

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private FrameSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
        this.out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
    }

    /** Connects to {@code host:port}, failing after {@code timeoutMillis} (also the read timeout; 0 = none). */
    public static FrameSocket connect(String host, int port, int timeoutMillis) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            return new FrameSocket(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Sends a frame and flushes. Releases the frame. */
    public void send(Frame frame) throws IOException {
        try {
            ByteBuf header = Unpooled.buffer(16);
            CallFrameEncoder.writeHeader(header, frame);
            out.write(header.array(), header.arrayOffset(), header.readableBytes());
            ByteBuf body = frame.body();
            body.getBytes(body.readerIndex(), out, body.readableBytes());
            out.flush();
        } finally {
            frame.release();
        }
    }

    /** Writes raw bytes, for tests that send what no valid frame would be. */
    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /**
     * Blocks until a whole frame has arrived.
     *
     * @throws EOFException            when the peer closed the connection
     * @throws MalformedFrameException when the peer sent a bad length or flags
     */
    public Frame receive() throws IOException {
        long length = Integer.toUnsignedLong(Integer.reverseBytes(in.readInt()));
        FrameLimits.checkLength(length);
        byte[] rest = new byte[(int) length];
        in.readFully(rest);
        ByteBuf buf = Unpooled.wrappedBuffer(rest);
        int opCode = buf.readUnsignedShortLE();
        int flags = FrameLimits.checkFlags(buf.readUnsignedShortLE());
        long seq = buf.readLongLE();
        return new Frame(opCode, flags, seq, buf.slice());
    }

    public void setReadTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
