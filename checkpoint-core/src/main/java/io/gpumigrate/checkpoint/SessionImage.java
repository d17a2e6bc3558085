package io.gpumigrate.checkpoint;

import io.gpumigrate.device.AddressRange;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a session is, independent of the backend that runs it: everything a worker needs to
 * re-create the session on another device, except the contents of device memory, which
 * travel as chunks beside it ({@link CheckpointWriter}, {@code MigrationSender}).
 *
 * <p>Handles are the opaque u64 values the worker chose and the client holds; the model
 * never interprets them. After a restore the worker re-creates each object on its new
 * backend (load {@link Module#image()}, look up {@link Function#name()}, create streams and
 * events with their flags) and maps the old handle to the new object, so the client keeps
 * using the handles it has. Allocations are the exception: the restore itself places them at
 * the same device addresses ({@code memAllocAt}), because device pointers are never translated.
 *
 * <p>Immutable and thread-safe; the lists and maps are unmodifiable copies.
 *
 * @param window          the session's device address window (base, size) that every allocation lies in
 * @param lastAppliedSeq  the sequence number of the last call the worker applied (0: none yet)
 * @param contexts        the contexts the client created
 * @param allocations     live allocations, in increasing address order; their contents are the image's chunks
 * @param modules         loaded modules with the bytes the client loaded them from
 * @param functions       kernels the client looked up
 * @param globals         module globals the client looked up, with their contents at snapshot time
 * @param streams         streams the client created (not the default stream)
 * @param events          events the client created
 * @param extensions      named values the worker owns (counters, a deferred error), carried verbatim;
 *                        a new piece of worker state can travel here without a format change
 */
public record SessionImage(
        AddressRange window,
        long lastAppliedSeq,
        List<Context> contexts,
        List<AddressRange> allocations,
        List<Module> modules,
        List<Function> functions,
        List<Global> globals,
        List<Stream> streams,
        List<Event> events,
        SortedMap<String, String> extensions) {

    public SessionImage {
        Objects.requireNonNull(window, "window");
        if (lastAppliedSeq < 0) {
            throw new IllegalArgumentException("lastAppliedSeq " + lastAppliedSeq + " must be >= 0");
        }
        contexts = List.copyOf(contexts);
        allocations = List.copyOf(allocations);
        modules = List.copyOf(modules);
        functions = List.copyOf(functions);
        globals = List.copyOf(globals);
        streams = List.copyOf(streams);
        events = List.copyOf(events);
        extensions = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(extensions));
        long previousEnd = Long.MIN_VALUE;
        for (AddressRange a : allocations) {
            if (a.size() <= 0) {
                throw new IllegalArgumentException("allocation at 0x" + Long.toHexString(a.base())
                        + " has size " + a.size() + "; sizes must be > 0");
            }
            if (a.base() < previousEnd) {
                throw new IllegalArgumentException("allocation at 0x" + Long.toHexString(a.base())
                        + " overlaps or precedes the one before it; allocations must be sorted and disjoint");
            }
            previousEnd = a.base() + a.size();
        }
    }

    /** A session with only a window and allocations, as a test or a memory-only snapshot needs. */
    public static SessionImage ofMemory(AddressRange window, List<AddressRange> allocations) {
        return new SessionImage(window, 0, List.of(), allocations, List.of(), List.of(), List.of(),
                List.of(), List.of(), new TreeMap<>());
    }

    /** A builder for a session's image, as a worker fills it from its handle table. */
    public static Builder builder(AddressRange window) {
        return new Builder(window);
    }

    /**
     * Collects a session's state piece by piece; {@link #build()} checks it (allocations are
     * sorted by address there). Not thread-safe.
     */
    public static final class Builder {
        private final AddressRange window;
        private long lastAppliedSeq;
        private final List<Context> contexts = new java.util.ArrayList<>();
        private final List<AddressRange> allocations = new java.util.ArrayList<>();
        private final List<Module> modules = new java.util.ArrayList<>();
        private final List<Function> functions = new java.util.ArrayList<>();
        private final List<Global> globals = new java.util.ArrayList<>();
        private final List<Stream> streams = new java.util.ArrayList<>();
        private final List<Event> events = new java.util.ArrayList<>();
        private final SortedMap<String, String> extensions = new TreeMap<>();

        private Builder(AddressRange window) {
            this.window = window;
        }

        public Builder lastAppliedSeq(long seq) {
            this.lastAppliedSeq = seq;
            return this;
        }

        public Builder context(Context c) {
            contexts.add(c);
            return this;
        }

        public Builder allocation(AddressRange a) {
            allocations.add(a);
            return this;
        }

        public Builder module(Module m) {
            modules.add(m);
            return this;
        }

        public Builder function(Function f) {
            functions.add(f);
            return this;
        }

        public Builder global(Global g) {
            globals.add(g);
            return this;
        }

        public Builder stream(Stream s) {
            streams.add(s);
            return this;
        }

        public Builder event(Event e) {
            events.add(e);
            return this;
        }

        public Builder extension(String key, String value) {
            extensions.put(key, value);
            return this;
        }

        /** The image; {@link IllegalArgumentException} naming the range when allocations overlap. */
        public SessionImage build() {
            List<AddressRange> sorted = new java.util.ArrayList<>(allocations);
            sorted.sort(java.util.Comparator.comparingLong(AddressRange::base));
            return new SessionImage(window, lastAppliedSeq, contexts, sorted, modules, functions, globals, streams,
                    events, extensions);
        }
    }

    /** Total bytes of device memory the allocations hold. */
    public long allocatedBytes() {
        long total = 0;
        for (AddressRange a : allocations) {
            total += a.size();
        }
        return total;
    }

    /** A context ({@code cuCtxCreate}); {@code device} is the ordinal the client asked for. */
    public record Context(long handle, int flags, int device) {
    }

    /**
     * A loaded module and the exact bytes it was loaded from (PTX, fat binary or cubin).
     *
     * @param globalsAt where the block holding the module's globals lies (0: the device placed
     *                  them itself, or there are none); a restore loads the module with its
     *                  block there ({@code DeviceBackend.loadModule(image, globalsAt)})
     * @param globals   the block's contents at snapshot time (empty in the early MODULES message)
     */
    public record Module(long handle, byte[] image, long globalsAt, byte[] globals) {
        public Module {
            image = image.clone();
            globals = globals.clone();
        }

        /** A module whose globals the device placed itself (or that has none). */
        public Module(long handle, byte[] image) {
            this(handle, image, 0, new byte[0]);
        }

        /**
         * {@code modules} in the order to load them again: those whose globals have an address
         * first, so that no module placed afresh takes the address another one must have.
         */
        public static List<Module> inLoadOrder(List<Module> modules) {
            List<Module> ordered = new java.util.ArrayList<>(modules);
            ordered.sort(java.util.Comparator.comparing(m -> m.globalsAt() == 0));
            return ordered;
        }

        @Override
        public byte[] image() {
            return image.clone();
        }

        @Override
        public byte[] globals() {
            return globals.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Module m && m.handle == handle && Arrays.equals(m.image, image)
                    && m.globalsAt == globalsAt && Arrays.equals(m.globals, globals);
        }

        @Override
        public int hashCode() {
            return (Long.hashCode(handle) * 31 + Arrays.hashCode(image)) * 31 + Long.hashCode(globalsAt);
        }

        @Override
        public String toString() {
            return "Module[handle=" + handle + ", image=" + image.length + " bytes"
                    + (globalsAt == 0 ? "" : String.format(", globals at 0x%x, %d bytes", globalsAt, globals.length)) + "]";
        }
    }

    /**
     * A kernel the client looked up; {@code attributes} are the values it set with
     * {@code cuFuncSetAttribute} (attribute number to value), to be set again after a restore.
     */
    public record Function(long handle, long moduleHandle, String name, SortedMap<Integer, Integer> attributes) {
        public Function {
            Objects.requireNonNull(name, "name");
            attributes = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(attributes));
        }
    }

    /**
     * A module global ({@code cuModuleGetGlobal}): the driver chooses its address, so after a
     * restore it may lie elsewhere; the worker writes {@code contents} to its new place and
     * maps {@code address} for the client.
     */
    public record Global(long moduleHandle, String name, long address, byte[] contents) {
        public Global {
            Objects.requireNonNull(name, "name");
            contents = contents.clone();
        }

        @Override
        public byte[] contents() {
            return contents.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Global g && g.moduleHandle == moduleHandle && g.name.equals(name)
                    && g.address == address && Arrays.equals(g.contents, contents);
        }

        @Override
        public int hashCode() {
            return Objects.hash(moduleHandle, name, address) * 31 + Arrays.hashCode(contents);
        }

        @Override
        public String toString() {
            return "Global[module=" + moduleHandle + ", name=" + name + ", address=0x" + Long.toHexString(address)
                    + ", " + contents.length + " bytes]";
        }
    }

    /** A stream ({@code cuStreamCreateWithPriority}). */
    public record Stream(long handle, int flags, int priority) {
    }

    /** An event ({@code cuEventCreate}). */
    public record Event(long handle, int flags) {
    }
}
