package io.gpumigrate.replay.show;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.protocol.Op;
import io.gpumigrate.protocol.WireFormat;
import io.gpumigrate.replay.LogEntry;
import io.gpumigrate.replay.LogGap;
import io.gpumigrate.replay.LoggedCall;
import io.gpumigrate.replay.read.LogReader;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * One line per log entry, as strace prints system calls: sequence number, op, decoded
 * arguments (handles and pointers in hex, sizes for people, strings quoted, payload sizes and
 * blob hashes), then {@code = status} when the worker's result was logged, {@code = ?} when not:
 *
 * <pre>
 *       12 MODULE_GET_FUNCTION(module=0x1, name="vecAdd") = 0
 *       13 MEMCPY_HTOD(dst=0x200000000000, stream=0x0, data=1 MiB blob:3f0a1b2c3d4e5f60) = ?
 *       14 LAUNCH_KERNEL(function=0x2, grid=(128,1,1), block=(256,1,1), shared=0 B, stream=0x0, params=24 B) = ?
 *       15 STREAM_SYNCHRONIZE(stream=0x0) = 700 CUDA_ERROR_ILLEGAL_ADDRESS
 *  16..214 --- 199 calls not in this log (the writer fell behind, or a moved session's log did not come along) ---
 * </pre>
 *
 * Secrets (HELLO's token, ATTACH's session secret) are never printed, only their length.
 * Stateless and thread-safe.
 */
public final class LogFormatter {

    private static final int SEQ_WIDTH = 8;
    /** Little-endian u32 at the start of a fat binary. */
    private static final int FATBIN_MAGIC = 0xBA55ED50;

    /** The line for one entry, without a line break. */
    public String format(LogEntry entry) {
        return switch (entry) {
            case LoggedCall call -> formatCall(call);
            case LogGap gap -> pad(gap.firstSeq() + ".." + gap.lastSeq()) + " --- " + gap.count()
                    + " calls not in this log (the writer fell behind, or a moved session's log did not come along) ---";
        };
    }

    /** Writes one line per remaining entry of {@code reader}; returns how many. */
    public long print(LogReader reader, Appendable out) throws IOException {
        long n = 0;
        for (LogEntry e = reader.next(); e != null; e = reader.next()) {
            out.append(format(e)).append('\n');
            n++;
        }
        return n;
    }

    private String formatCall(LoggedCall call) {
        Op op = call.op();
        String name = op != null ? op.name() : String.format("OP_0x%04x", call.opCode());
        StringBuilder line = new StringBuilder(pad(Long.toUnsignedString(call.seq()))).append(' ').append(name)
                .append('(').append(arguments(call)).append(')');
        if (op == null ? call.flags() != 0 : call.flags() != expectedFlags(op)) {
            line.append(String.format(" [flags=0x%x]", call.flags()));
        }
        if (call.status().isPresent()) {
            int s = call.status().getAsInt();
            line.append(" = ").append(s);
            if (s != CuResult.SUCCESS) {
                line.append(' ').append(CuResult.name(s));
            }
        } else {
            line.append(" = ?");
        }
        if (call.results().length >= 8 && (op == Op.MEM_ALLOC || op == Op.MEM_ALLOC_PITCH || op == Op.MODULE_GET_GLOBAL)) {
            line.append(" -> 0x").append(Long.toHexString(io.gpumigrate.replay.format.LittleEndian.i64(call.results(), 0)));
        }
        return line.toString();
    }

    private static int expectedFlags(Op op) {
        return op.kind() == Op.Kind.ASYNC ? 0 : WireFormat.FLAG_REPLY_WANTED;
    }

    private static String pad(String seq) {
        return seq.length() >= SEQ_WIDTH ? seq : " ".repeat(SEQ_WIDTH - seq.length()) + seq;
    }

    /** The decoded arguments of a call, per docs/wire-protocol.md. */
    static String arguments(LoggedCall call) {
        BodyFields f = new BodyFields(call.body(), call.bodyLength());
        Op op = call.op();
        if (op == null) {
            return f.rest("body", "").render();
        }
        switch (op) {
            case HELLO -> f.hex32("magic").version("version").secret("token").string("program").dec32("pid");
            case ATTACH -> f.hex32("magic").version("version").handle("session").secret("sessionSecret");
            case GOODBYE, SESSION_LIST, DEVICE_GET_PROPERTIES, CTX_SYNCHRONIZE, MEM_GET_INFO -> { }
            case REPLY -> f.i32("status").rest("results", "");
            case CTX_CREATE -> f.hex32("flags").i32("device");
            case CTX_DESTROY -> f.handle("ctx");
            case MEM_ALLOC -> f.size64("bytes");
            case MEM_FREE, MEM_GET_ADDRESS_RANGE -> f.handle("dptr");
            case MEM_ALLOC_PITCH -> f.size64("widthBytes").dec64("height").dec32("elementSize");
            case MEMCPY_HTOD -> f.handle("dst").handle("stream").rest("data",
                    call.blob() != null ? "blob:" + call.blob().hashHex() : "");
            case MEMCPY_DTOH -> f.handle("src").size64("size").handle("stream");
            case MEMCPY_DTOD -> f.handle("dst").handle("src").size64("size").handle("stream");
            case MEMSET -> f.handle("dst").hex32("value").dec32("elementSize").dec64("count").handle("stream");
            case MODULE_LOAD -> f.rest("image", imageKind(call.body()));
            case MODULE_UNLOAD -> f.handle("module");
            case MODULE_GET_FUNCTION, MODULE_GET_GLOBAL -> f.handle("module").string("name");
            case FUNC_GET_ATTRIBUTE -> f.handle("function").i32("attribute");
            case FUNC_SET_ATTRIBUTE -> f.handle("function").i32("attribute").i32("value");
            case LAUNCH_KERNEL -> f.handle("function").dim3("grid").dim3("block").size32("shared")
                    .handle("stream").sizedBytes("params");
            case STREAM_CREATE -> f.hex32("flags").i32("priority");
            case STREAM_DESTROY, STREAM_SYNCHRONIZE, STREAM_QUERY -> f.handle("stream");
            case STREAM_WAIT_EVENT -> f.handle("stream").handle("event").hex32("flags");
            case EVENT_CREATE -> f.hex32("flags");
            case EVENT_DESTROY, EVENT_SYNCHRONIZE, EVENT_QUERY -> f.handle("event");
            case EVENT_RECORD -> f.handle("event").handle("stream");
            case EVENT_ELAPSED_TIME -> f.handle("start").handle("end");
        }
        return f.render();
    }

    /** "PTX", "fatbin", "cubin" or "" from a module image's first bytes. */
    private static String imageKind(byte[] image) {
        if (image.length >= 4) {
            int magic = (image[0] & 0xFF) | (image[1] & 0xFF) << 8 | (image[2] & 0xFF) << 16 | (image[3] & 0xFF) << 24;
            if (magic == FATBIN_MAGIC) {
                return "fatbin";
            }
            if (image[0] == 0x7F && image[1] == 'E' && image[2] == 'L' && image[3] == 'F') {
                return "cubin";
            }
        }
        String head = new String(image, 0, Math.min(image.length, 4096), StandardCharsets.ISO_8859_1);
        return head.contains(".version") || head.contains(".entry") ? "PTX" : "";
    }
}
