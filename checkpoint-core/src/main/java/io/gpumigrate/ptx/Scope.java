package io.gpumigrate.ptx;

import java.util.HashMap;
import java.util.Map;

/** Names visible at one point of a function being compiled: nested blocks shadow their parents. */
final class Scope {

    /** What a name stands for. */
    enum Kind { REG, PRED, LOCAL, FRAME, SHARED, GLOBAL, KPARAM, FUNC }

    /**
     * @param kind  what the name is
     * @param value register base, predicate index, or address in its space (FRAME: offset from the frame pointer)
     * @param type  declared type (registers), or null
     * @param size  bytes (variables), or 0
     */
    record Binding(Kind kind, long value, PtxType type, long size) {
    }

    private final Scope parent;
    private final Map<String, Binding> names = new HashMap<>();

    Scope(Scope parent) {
        this.parent = parent;
    }

    Scope parent() {
        return parent;
    }

    void bind(String name, Binding binding) {
        names.put(name, binding);
    }

    /** The innermost binding of {@code name}, or null. */
    Binding lookup(String name) {
        for (Scope s = this; s != null; s = s.parent) {
            Binding b = s.names.get(name);
            if (b != null) {
                return b;
            }
        }
        return null;
    }
}
