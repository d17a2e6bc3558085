package io.gpumigrate.checkpoint;

import io.gpumigrate.device.AddressRange;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Encodes a {@link SessionImage} as bytes and back; both the checkpoint image
 * ({@code session.bin}) and the migration stream carry this encoding. Little-endian.
 *
 * <pre>
 *  u32 magic   0x49534D47 ("GMSI" as bytes)     u16 major   u16 minor
 *  sections, each:  u16 tag  u32 count  count x ( u32 length, fields )
 *    tag 1 header       i64 window.base, i64 window.size, i64 lastAppliedSeq
 *    tag 2 contexts     i64 handle, i32 flags, i32 device
 *    tag 3 allocations  i64 base, i64 size
 *    tag 4 modules      i64 handle, u32 n, n bytes image, since 1.1: i64 globalsAt, u32 k, k bytes globals
 *    tag 5 functions    i64 handle, i64 module, str name, u32 n, n x (i32 attribute, i32 value)
 *    tag 6 globals      i64 module, str name, i64 address, u32 n, n bytes contents
 *    tag 7 streams      i64 handle, i32 flags, i32 priority
 *    tag 8 events       i64 handle, i32 flags
 *    tag 9 extensions   str key, str value
 *  str = u32 byte length + UTF-8 bytes
 * </pre>
 *
 * Formats only gain fields: a later minor version appends fields to an element (a reader
 * skips what follows the fields it knows, thanks to the element length) or adds sections
 * with new tags (a reader skips them). A newer major version is refused. Stateless and
 * thread-safe.
 */
public final class SessionImageCodec {

    public static final int MAGIC = 0x49534D47;
    public static final int MAJOR = 1;
    /** 1: a module's block of globals (its address and contents). */
    public static final int MINOR = 1;

    private static final int HEADER = 1, CONTEXTS = 2, ALLOCATIONS = 3, MODULES = 4, FUNCTIONS = 5,
            GLOBALS = 6, STREAMS = 7, EVENTS = 8, EXTENSIONS = 9;

    private SessionImageCodec() {
    }

    /** The image's encoding, in a new array. */
    public static byte[] encode(SessionImage image) {
        ByteBuf out = Unpooled.buffer(256 + image.modules().stream().mapToInt(m -> m.image().length).sum());
        try {
            out.writeIntLE(MAGIC).writeShortLE(MAJOR).writeShortLE(MINOR);
            section(out, HEADER, List.of(image), (b, i) -> b.writeLongLE(i.window().base())
                    .writeLongLE(i.window().size()).writeLongLE(i.lastAppliedSeq()));
            section(out, CONTEXTS, image.contexts(), (b, c) -> b.writeLongLE(c.handle()).writeIntLE(c.flags())
                    .writeIntLE(c.device()));
            section(out, ALLOCATIONS, image.allocations(), (b, a) -> b.writeLongLE(a.base()).writeLongLE(a.size()));
            section(out, MODULES, image.modules(), (b, m) -> bytes(bytes(b.writeLongLE(m.handle()), m.image())
                    .writeLongLE(m.globalsAt()), m.globals()));
            section(out, FUNCTIONS, image.functions(), (b, f) -> {
                string(b.writeLongLE(f.handle()).writeLongLE(f.moduleHandle()), f.name());
                b.writeIntLE(f.attributes().size());
                f.attributes().forEach((k, v) -> b.writeIntLE(k).writeIntLE(v));
            });
            section(out, GLOBALS, image.globals(), (b, g) -> {
                string(b.writeLongLE(g.moduleHandle()), g.name());
                bytes(b.writeLongLE(g.address()), g.contents());
            });
            section(out, STREAMS, image.streams(), (b, s) -> b.writeLongLE(s.handle()).writeIntLE(s.flags())
                    .writeIntLE(s.priority()));
            section(out, EVENTS, image.events(), (b, e) -> b.writeLongLE(e.handle()).writeIntLE(e.flags()));
            section(out, EXTENSIONS, List.copyOf(image.extensions().entrySet()),
                    (b, e) -> string(string(b, e.getKey()), e.getValue()));
            byte[] result = new byte[out.readableBytes()];
            out.readBytes(result);
            return result;
        } finally {
            out.release();
        }
    }

    /**
     * Decodes an image; {@code source} names where the bytes came from in error messages.
     *
     * @throws CheckpointFormatException on a bad magic, a newer major version or a malformed body
     */
    public static SessionImage decode(byte[] bytes, String source) throws CheckpointFormatException {
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        try {
            if (in.readableBytes() < 8) {
                throw new CheckpointFormatException(source + ": " + bytes.length + " bytes, too short for a session image");
            }
            int magic = in.readIntLE();
            if (magic != MAGIC) {
                throw new CheckpointFormatException(source + ": invalid session image magic 0x" + Integer.toHexString(magic)
                        + ", expected 0x" + Integer.toHexString(MAGIC));
            }
            int major = in.readUnsignedShortLE();
            int minor = in.readUnsignedShortLE();
            if (major > MAJOR) {
                throw new CheckpointFormatException(source + ": session image format " + major + "." + minor
                        + " is newer than this reader's " + MAJOR + "." + MINOR + "; upgrade gpumigrate to read it");
            }
            return readSections(in);
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw new CheckpointFormatException(source + ": malformed session image: " + e.getMessage(), e);
        } finally {
            in.release();
        }
    }

    private static SessionImage readSections(ByteBuf in) throws CheckpointFormatException {
        AddressRange window = null;
        long seq = 0;
        List<SessionImage.Context> contexts = new ArrayList<>();
        List<AddressRange> allocations = new ArrayList<>();
        List<SessionImage.Module> modules = new ArrayList<>();
        List<SessionImage.Function> functions = new ArrayList<>();
        List<SessionImage.Global> globals = new ArrayList<>();
        List<SessionImage.Stream> streams = new ArrayList<>();
        List<SessionImage.Event> events = new ArrayList<>();
        SortedMap<String, String> extensions = new TreeMap<>();
        while (in.isReadable()) {
            int tag = in.readUnsignedShortLE();
            long count = in.readUnsignedIntLE();
            for (long i = 0; i < count; i++) {
                int length = in.readIntLE();
                if (length < 0 || length > in.readableBytes()) {
                    throw new IllegalArgumentException("element of section " + tag + " has length " + length
                            + " but only " + in.readableBytes() + " bytes remain");
                }
                ByteBuf e = in.readSlice(length);
                switch (tag) {
                    case HEADER -> {
                        window = new AddressRange(e.readLongLE(), e.readLongLE());
                        seq = e.readLongLE();
                    }
                    case CONTEXTS -> contexts.add(new SessionImage.Context(e.readLongLE(), e.readIntLE(), e.readIntLE()));
                    case ALLOCATIONS -> allocations.add(new AddressRange(e.readLongLE(), e.readLongLE()));
                    case MODULES -> {
                        long handle = e.readLongLE();
                        byte[] image = bytes(e);
                        modules.add(e.isReadable() ? new SessionImage.Module(handle, image, e.readLongLE(), bytes(e))
                                : new SessionImage.Module(handle, image));
                    }
                    case FUNCTIONS -> {
                        long handle = e.readLongLE();
                        long module = e.readLongLE();
                        String name = string(e);
                        SortedMap<Integer, Integer> attributes = new TreeMap<>();
                        for (int n = e.readIntLE(); n > 0; n--) {
                            attributes.put(e.readIntLE(), e.readIntLE());
                        }
                        functions.add(new SessionImage.Function(handle, module, name, attributes));
                    }
                    case GLOBALS -> globals.add(new SessionImage.Global(e.readLongLE(), string(e), e.readLongLE(), bytes(e)));
                    case STREAMS -> streams.add(new SessionImage.Stream(e.readLongLE(), e.readIntLE(), e.readIntLE()));
                    case EVENTS -> events.add(new SessionImage.Event(e.readLongLE(), e.readIntLE()));
                    case EXTENSIONS -> extensions.put(string(e), string(e));
                    default -> { } // a section of a later minor version: skipped
                }
            }
        }
        if (window == null) {
            throw new IllegalArgumentException("the header section (window, last applied sequence number) is missing");
        }
        return new SessionImage(window, seq, contexts, allocations, modules, functions, globals, streams, events,
                extensions);
    }

    private interface ElementWriter<T> {
        void write(ByteBuf out, T element);
    }

    private static <T> void section(ByteBuf out, int tag, List<T> elements, ElementWriter<T> writer) {
        out.writeShortLE(tag).writeIntLE(elements.size());
        for (T element : elements) {
            int lengthAt = out.writerIndex();
            out.writeIntLE(0);
            writer.write(out, element);
            out.setIntLE(lengthAt, out.writerIndex() - lengthAt - 4);
        }
    }

    private static ByteBuf bytes(ByteBuf out, byte[] value) {
        return out.writeIntLE(value.length).writeBytes(value);
    }

    private static ByteBuf string(ByteBuf out, String value) {
        return bytes(out, value.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] bytes(ByteBuf in) {
        int length = in.readIntLE();
        if (length < 0 || length > in.readableBytes()) {
            throw new IllegalArgumentException("byte string of length " + length + " but only "
                    + in.readableBytes() + " bytes remain");
        }
        byte[] value = new byte[length];
        in.readBytes(value);
        return value;
    }

    private static String string(ByteBuf in) {
        return new String(bytes(in), StandardCharsets.UTF_8);
    }
}
