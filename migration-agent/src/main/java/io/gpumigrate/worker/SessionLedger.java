package io.gpumigrate.worker;

import io.gpumigrate.checkpoint.SessionImage;
import io.gpumigrate.protocol.Op;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a session's objects were made from, as a restore elsewhere must make them again: the
 * flags of each context, stream and event, each module's original image, the functions and
 * globals looked up, and the function attributes set. It learns all of it from the calls that
 * succeeded (their bodies and replies), so the call handlers need not know about migration.
 *
 * <p>Not thread-safe: session executor only.
 */
final class SessionLedger {

    /** A function looked up, with the attributes the client set on it since. */
    record FunctionEntry(long module, String name, TreeMap<Integer, Integer> attributes) {
    }

    /** A module global looked up: where it was and how big. */
    record GlobalEntry(long module, String name, long address, long size) {
    }

    final Map<Long, SessionImage.Context> contexts = new LinkedHashMap<>();
    final Map<Long, byte[]> modules = new LinkedHashMap<>();
    final Map<Long, FunctionEntry> functions = new LinkedHashMap<>();
    final Map<String, GlobalEntry> globals = new LinkedHashMap<>();
    final Map<Long, SessionImage.Stream> streams = new LinkedHashMap<>();
    final Map<Long, SessionImage.Event> events = new LinkedHashMap<>();

    /**
     * Notes a call that succeeded.
     *
     * @param body  the call's whole body (absolute indexes from 0)
     * @param reply the reply body: the i32 status at index 0, then the results
     */
    void record(Op op, ByteBuf body, ByteBuf reply) {
        int b = body.readerIndex();
        switch (op) {
            case CTX_CREATE -> contexts.put(handle(reply),
                    new SessionImage.Context(handle(reply), body.getIntLE(b), body.getIntLE(b + 4)));
            case CTX_DESTROY -> contexts.remove(body.getLongLE(b));
            case MODULE_LOAD -> modules.put(handle(reply), ByteBufUtil.getBytes(body));
            case MODULE_UNLOAD -> {
                long module = body.getLongLE(b);
                modules.remove(module);
                functions.values().removeIf(f -> f.module() == module);
                globals.values().removeIf(g -> g.module() == module);
            }
            case MODULE_GET_FUNCTION -> functions.putIfAbsent(handle(reply),
                    new FunctionEntry(body.getLongLE(b), str(body, b + 8), new TreeMap<>()));
            case FUNC_SET_ATTRIBUTE -> {
                FunctionEntry f = functions.get(body.getLongLE(b));
                if (f != null) {
                    f.attributes().put(body.getIntLE(b + 8), body.getIntLE(b + 12));
                }
            }
            case MODULE_GET_GLOBAL -> {
                long module = body.getLongLE(b);
                String name = str(body, b + 8);
                globals.put(module + "/" + name, new GlobalEntry(module, name, reply.getLongLE(4), reply.getLongLE(12)));
            }
            case STREAM_CREATE -> streams.put(handle(reply),
                    new SessionImage.Stream(handle(reply), body.getIntLE(b), body.getIntLE(b + 4)));
            case STREAM_DESTROY -> streams.remove(body.getLongLE(b));
            case EVENT_CREATE -> events.put(handle(reply), new SessionImage.Event(handle(reply), body.getIntLE(b)));
            case EVENT_DESTROY -> events.remove(body.getLongLE(b));
            case GOODBYE -> clear();
            default -> { }
        }
    }

    void clear() {
        contexts.clear();
        modules.clear();
        functions.clear();
        globals.clear();
        streams.clear();
        events.clear();
    }

    private static long handle(ByteBuf reply) {
        return reply.getLongLE(4);
    }

    private static String str(ByteBuf body, int at) {
        int length = body.getIntLE(at);
        return body.toString(at + 4, length, StandardCharsets.UTF_8);
    }
}
