package io.gpumigrate.worker;

import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.DeviceModule;
import io.gpumigrate.device.emulator.DeviceAddressSpace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A session's module globals: for each, the address range its client sees and the range it
 * actually occupies on this device. The device chooses where a global lies
 * ({@code cuModuleGetGlobal}), differently in every process, while the client caches the first
 * address it was given; so the client always sees that first address, and addresses inside a
 * global that moved are translated to where it lies now.
 *
 * <p>At a session's first home every global is seen where it lies (the identity). A restore or
 * a replay names, before looking a global up again, the address its client saw
 * ({@link #expectNextAt}); the global is then seen there. A global whose own range would
 * overlap another global's visible range is seen at a free address above all known ranges.
 *
 * <p>Not thread-safe: session executor only.
 */
public final class GlobalAddressMap {

    private static final Logger log = LoggerFactory.getLogger(GlobalAddressMap.class);
    private static final long ALIAS_ALIGNMENT = 4096;
    private static final long WINDOW_END = DeviceAddressSpace.WINDOW_BASE + (1L << 40);

    /** One global: where the client sees it and where it lies. */
    private record Entry(DeviceModule module, String name, long visible, long actual, long size) {

        boolean moved() {
            return visible != actual;
        }

        boolean visibleOverlaps(long base, long bytes) {
            return base < visible + Math.max(size, 1) && visible < base + Math.max(bytes, 1);
        }
    }

    private final List<Entry> entries = new ArrayList<>();
    /** The globals that moved, by visible base: the only ones whose addresses are translated. */
    private final TreeMap<Long, Entry> moved = new TreeMap<>();
    private long expected;

    /**
     * The client-visible address the next global looked up must have (0: none), as a restore
     * or a replay knows it from the image or the log. Cleared by the next {@link #visible}.
     */
    public void expectNextAt(long visibleBase) {
        expected = visibleBase;
    }

    /**
     * Where the client sees global {@code name} of {@code module}, given where the device put
     * it ({@code actual}). The first answer for a global is kept until its module is unloaded.
     */
    AddressRange visible(DeviceModule module, String name, AddressRange actual) {
        long wanted = expected;
        expected = 0;
        for (Entry e : entries) {
            if (e.module() == module && e.name().equals(name)) {
                return new AddressRange(e.visible(), e.size());
            }
        }
        long visible = wanted != 0 ? wanted : actual.base();
        if (overlapsVisible(visible, actual.size())) {
            long alias = freeAddress();
            log.warn("global '{}' at 0x{}: 0x{} is another global's, so its client sees it at 0x{}", name,
                    Long.toHexString(actual.base()), Long.toHexString(visible), Long.toHexString(alias));
            visible = alias;
        }
        Entry e = new Entry(module, name, visible, actual.base(), actual.size());
        entries.add(e);
        if (e.moved()) {
            moved.put(visible, e);
            log.info("global '{}' lies at 0x{}; its client sees it at 0x{}", name, Long.toHexString(e.actual()),
                    Long.toHexString(visible));
        }
        return new AddressRange(visible, e.size());
    }

    /** Forgets the globals of {@code module} (unloaded). */
    void forget(DeviceModule module) {
        entries.removeIf(e -> e.module() == module);
        moved.values().removeIf(e -> e.module() == module);
    }

    /** Where the byte a client's {@code address} names lies: translated inside a global that moved, else itself. */
    public long actual(long address) {
        if (moved.isEmpty()) {
            return address;
        }
        Entry e = movedContaining(address);
        return e == null ? address : e.actual() + (address - e.visible());
    }

    /** The visible range of the global that moved and that {@code address} (client-visible) lies in; null: none. */
    AddressRange movedRange(long address) {
        Entry e = movedContaining(address);
        return e == null ? null : new AddressRange(e.visible(), e.size());
    }

    /** How many globals are seen elsewhere than where they lie. */
    public int movedCount() {
        return moved.size();
    }

    /**
     * A launch's parameter buffer with every 8-byte-aligned 8-byte word that lies inside a global
     * that moved replaced by the address it stands for. A heuristic: the kernel's parameter types
     * are not known here, so a non-pointer value that happens to equal such an address is
     * changed too; only globals that moved are considered, which makes that unlikely.
     *
     * @return {@code params} itself when nothing changes, else a copy
     */
    MemorySegment translateParams(MemorySegment params) {
        if (moved.isEmpty() || params == null) {
            return params;
        }
        MemorySegment copy = null;
        for (long at = 0; at + 8 <= params.byteSize(); at += 8) {
            long word = params.get(ValueLayout.JAVA_LONG_UNALIGNED, at);
            long translated = actual(word);
            if (translated != word) {
                if (copy == null) {
                    copy = MemorySegment.ofArray(new byte[Math.toIntExact(params.byteSize())]);
                    copy.copyFrom(params);
                }
                copy.set(ValueLayout.JAVA_LONG_UNALIGNED, at, translated);
            }
        }
        return copy == null ? params : copy;
    }

    private Entry movedContaining(long address) {
        Map.Entry<Long, Entry> floor = moved.floorEntry(address);
        if (floor == null) {
            return null;
        }
        Entry e = floor.getValue();
        return address - e.visible() < e.size() ? e : null;
    }

    private boolean overlapsVisible(long base, long bytes) {
        for (Entry e : entries) {
            if (e.visibleOverlaps(base, bytes)) {
                return true;
            }
        }
        return false;
    }

    /** An address above every known global's ranges and outside the allocation window. */
    private long freeAddress() {
        long top = WINDOW_END;
        for (Entry e : entries) {
            top = Math.max(top, Math.max(e.visible(), e.actual()) + e.size());
        }
        return (top + 2 * ALIAS_ALIGNMENT - 1) / ALIAS_ALIGNMENT * ALIAS_ALIGNMENT;
    }
}
