package io.gpumigrate.protocol;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.netty.buffer.ByteBuf;

/**
 * The bodies of {@code HELLO} and {@code ATTACH} (docs/wire-protocol.md, handshake), read and
 * written in one place so that client, agent and worker agree. Thread-safe (stateless).
 */
public final class Handshake {

    private Handshake() {
    }

    /** A client's {@code HELLO}. */
    public record Hello(int major, int minor, String token, String program, long pid) {
    }

    /** A client's {@code ATTACH}. */
    public record Attach(int major, int minor, long session, String secret) {
    }

    /** The agent's answer to {@code HELLO}. */
    public record HelloReply(long session, String workerHost, int workerPort, String secret) {
    }

    public static void writeHello(ByteBuf out, String token, String program, long pid) {
        writeVersion(out);
        new BodyWriter(out).str(token).str(program).u32(pid);
    }

    public static void writeAttach(ByteBuf out, long session, String secret) {
        writeVersion(out);
        new BodyWriter(out).u64(session).str(secret);
    }

    public static void writeHelloReply(ByteBuf out, HelloReply reply) {
        new BodyWriter(out).u64(reply.session()).str(reply.workerHost()).u16(reply.workerPort()).str(reply.secret());
    }

    /**
     * Reads a {@code HELLO} body.
     *
     * @throws CudaException {@code INVALID_VALUE} for a bad magic or a short body,
     *                       {@code NOT_SUPPORTED} for another major version
     */
    public static Hello readHello(ByteBuf body) throws CudaException {
        BodyReader r = new BodyReader(body, Op.HELLO);
        int[] version = readVersion(r);
        return new Hello(version[0], version[1], r.str(), r.str(), r.u32());
    }

    /** Reads an {@code ATTACH} body; errors as {@link #readHello}. */
    public static Attach readAttach(ByteBuf body) throws CudaException {
        BodyReader r = new BodyReader(body, Op.ATTACH);
        int[] version = readVersion(r);
        return new Attach(version[0], version[1], r.u64(), r.str());
    }

    public static HelloReply readHelloReply(ByteBuf resultsAfterStatus) throws CudaException {
        BodyReader r = new BodyReader(resultsAfterStatus, "HELLO reply");
        return new HelloReply(r.u64(), r.str(), r.u16(), r.str());
    }

    private static void writeVersion(ByteBuf out) {
        new BodyWriter(out).u32(WireFormat.MAGIC).u16(WireFormat.VERSION_MAJOR).u16(WireFormat.VERSION_MINOR);
    }

    private static int[] readVersion(BodyReader r) throws CudaException {
        long magic = r.u32();
        if (magic != Integer.toUnsignedLong(WireFormat.MAGIC)) {
            throw new CudaException(CuResult.INVALID_VALUE, String.format(
                    "invalid magic number 0x%08x, expected 0x%08x", magic, WireFormat.MAGIC));
        }
        int major = r.u16();
        int minor = r.u16();
        if (major != WireFormat.VERSION_MAJOR) {
            throw new CudaException(CuResult.NOT_SUPPORTED, "protocol version " + major + "." + minor
                    + " is not supported by this peer, which speaks " + WireFormat.VERSION_MAJOR + "."
                    + WireFormat.VERSION_MINOR);
        }
        return new int[] {major, minor};
    }
}
