package io.gpumigrate.ptx;

import java.util.List;

/** A parsed PTX module: header, module-scope variables and functions, in text order. */
public record PtxModule(String version, String target, int addressSize, List<PtxVariable> variables,
                        List<PtxFunction> functions) {

    /** The function called {@code name}, or null. */
    public PtxFunction function(String name) {
        for (PtxFunction f : functions) {
            if (f.name().equals(name) && f.body() != null) {
                return f;
            }
        }
        return null;
    }
}
