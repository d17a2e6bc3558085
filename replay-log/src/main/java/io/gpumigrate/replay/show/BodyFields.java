package io.gpumigrate.replay.show;

import io.gpumigrate.replay.format.LittleEndian;

import java.nio.charset.StandardCharsets;

/**
 * Reads a call body's fields in order (docs/wire-protocol.md) and renders them as
 * {@code name=value} arguments. A body too short for its op is reported, not thrown: the
 * listing shows what is there. Not thread-safe.
 */
final class BodyFields {

    private static final int MAX_STRING = 64;

    private final byte[] b;
    private final long wireLength;
    private final StringBuilder out = new StringBuilder();
    private int pos;
    private boolean shortBody;
    private boolean restTaken;

    /** @param wireLength the body's length on the wire (may exceed {@code b.length} when a blob holds the tail) */
    BodyFields(byte[] b, long wireLength) {
        this.b = b;
        this.wireLength = wireLength;
    }

    private boolean has(int n) {
        if (shortBody || b.length - pos < n) {
            shortBody = true;
            return false;
        }
        return true;
    }

    private BodyFields arg(String name, String value) {
        if (!out.isEmpty()) {
            out.append(", ");
        }
        out.append(name).append('=').append(value);
        return this;
    }

    long u64() {
        long v = has(8) ? LittleEndian.i64(b, pos) : 0;
        pos += 8;
        return v;
    }

    long u32() {
        long v = has(4) ? LittleEndian.u32(b, pos) : 0;
        pos += 4;
        return v;
    }

    int u16() {
        int v = has(2) ? LittleEndian.u16(b, pos) : 0;
        pos += 2;
        return v;
    }

    BodyFields handle(String name) {
        long v = u64();
        return shortBody ? this : arg(name, "0x" + Long.toHexString(v));
    }

    BodyFields size64(String name) {
        long v = u64();
        return shortBody ? this : arg(name, Sizes.human(v));
    }

    BodyFields size32(String name) {
        long v = u32();
        return shortBody ? this : arg(name, Sizes.human(v));
    }

    BodyFields dec64(String name) {
        long v = u64();
        return shortBody ? this : arg(name, Long.toUnsignedString(v));
    }

    BodyFields dec32(String name) {
        long v = u32();
        return shortBody ? this : arg(name, Long.toString(v));
    }

    BodyFields i32(String name) {
        long v = u32();
        return shortBody ? this : arg(name, Integer.toString((int) v));
    }

    BodyFields hex32(String name) {
        long v = u32();
        return shortBody ? this : arg(name, "0x" + Long.toHexString(v));
    }

    BodyFields dim3(String name) {
        long x = u32();
        long y = u32();
        long z = u32();
        return shortBody ? this : arg(name, "(" + x + "," + y + "," + z + ")");
    }

    BodyFields version(String name) {
        int major = u16();
        int minor = u16();
        return shortBody ? this : arg(name, major + "." + minor);
    }

    /** A {@code str}: u32 length, UTF-8 bytes; quoted, escaped, cut at 64 characters. */
    BodyFields string(String name) {
        long n = u32();
        if (shortBody || !has((int) Math.min(n, Integer.MAX_VALUE))) {
            return this;
        }
        String s = new String(b, pos, (int) n, StandardCharsets.UTF_8);
        pos += (int) n;
        return arg(name, quote(s));
    }

    /** A {@code str} that holds a secret: only its length is shown. */
    BodyFields secret(String name) {
        long n = u32();
        if (shortBody || !has((int) Math.min(n, Integer.MAX_VALUE))) {
            return this;
        }
        pos += (int) n;
        return arg(name, n == 0 ? "\"\"" : "<" + n + " bytes hidden>");
    }

    /** A u32 byte count, then that many bytes. */
    BodyFields sizedBytes(String name) {
        long n = u32();
        if (shortBody || !has((int) Math.min(n, Integer.MAX_VALUE))) {
            return this;
        }
        pos += (int) n;
        return arg(name, Sizes.human(n));
    }

    /** The rest of the body, as its length on the wire, plus an extra note (a blob name, a kind). */
    BodyFields rest(String name, String note) {
        long n = Math.max(0, wireLength - pos);
        pos = b.length;
        restTaken = true;
        return arg(name, Sizes.human(n) + (note.isEmpty() ? "" : " " + note));
    }

    int position() {
        return pos;
    }

    byte[] bytes() {
        return b;
    }

    /** The arguments; notes a body too short for its op, or bytes left over. */
    String render() {
        if (shortBody) {
            arg("<body too short", wireLength + " bytes>");
        } else if (!restTaken && pos < wireLength) {
            arg("<trailing", (wireLength - pos) + " bytes>");
        }
        return out.toString();
    }

    static String quote(String s) {
        StringBuilder q = new StringBuilder("\"");
        int shown = Math.min(s.length(), MAX_STRING);
        for (int i = 0; i < shown; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                case '\t' -> q.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        q.append(String.format("\\x%02x", (int) c));
                    } else {
                        q.append(c);
                    }
                }
            }
        }
        q.append('"');
        return s.length() > MAX_STRING ? q + "..." : q.toString();
    }
}
