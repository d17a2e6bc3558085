package io.gpumigrate.device.cuda;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Links a driver library's symbols into downcall handles for {@link CudaDriver}: each takes the
 * given arguments and returns the raw {@code CUresult}. A required symbol the library lacks
 * stops the binding, with a message that names the library and the driver version it needs;
 * an optional one (a newer driver's) is {@code null}.
 *
 * <p>Thread-safe: it holds only the library's lookup.
 */
final class DriverSymbols {

    private static final Linker LINKER = Linker.nativeLinker();

    private final SymbolLookup lookup;
    private final String origin;

    DriverSymbols(SymbolLookup lookup, String origin) {
        this.lookup = lookup;
        this.origin = origin;
    }

    /**
     * The required {@code symbol}.
     *
     * @throws IllegalArgumentException when the library does not export it
     */
    MethodHandle bind(String symbol, MemoryLayout... args) {
        MethodHandle handle = bindOptional(symbol, args);
        if (handle == null) {
            throw new IllegalArgumentException(origin + " does not export " + symbol
                    + ": not a CUDA 12.4+ driver library (NVIDIA driver 550 or newer is required)");
        }
        return handle;
    }

    /** The optional {@code symbol}, or {@code null} when the library does not export it. */
    MethodHandle bindOptional(String symbol, MemoryLayout... args) {
        return lookup.find(symbol)
                .map(address -> LINKER.downcallHandle(address, FunctionDescriptor.of(JAVA_INT, args)))
                .orElse(null);
    }

    /**
     * {@code preferred} where the library exports it, else the required {@code fallback}: for a
     * symbol whose newer version a newer driver adds under a new name.
     */
    MethodHandle bindFirst(String preferred, String fallback, MemoryLayout... args) {
        MethodHandle handle = bindOptional(preferred, args);
        return handle != null ? handle : bind(fallback, args);
    }
}
