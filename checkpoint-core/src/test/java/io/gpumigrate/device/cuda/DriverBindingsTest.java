package io.gpumigrate.device.cuda;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Checks every symbol {@link CudaDriver} binds against CUDA's own header: the name is one
 * {@code cuda.h} declares or maps a plain name to, and the Java descriptor takes as many
 * arguments as the C prototype.
 */
class DriverBindingsTest {

    private static final Path SOURCE = Path.of("src/main/java/io/gpumigrate/device/cuda/CudaDriver.java");
    private static final Path CUDA_H = Path.of("/usr/local/cuda/include/cuda.h");
    private static final Pattern BINDING = Pattern.compile("bind(?:Optional)?\\(\"(\\w+)\"((?:\\s*,\\s*\\w+)*)\\)");

    /** Symbol name to argument count, as CudaDriver's source binds them. */
    static Map<String, Integer> boundSymbols() throws IOException {
        String source = Files.readString(SOURCE);
        Map<String, Integer> symbols = new LinkedHashMap<>();
        Matcher m = BINDING.matcher(source);
        while (m.find()) {
            String args = m.group(2).trim();
            symbols.put(m.group(1), args.isEmpty() ? 0 : args.split(",").length - 1);
        }
        symbols.put("cuEventElapsedTime", 3);
        symbols.put("cuEventElapsedTime_v2", 3);
        return symbols;
    }

    @Test
    void everyBoundSymbolIsDeclaredByCudaHWithTheSameArity() throws IOException {
        assumeTrue(Files.exists(CUDA_H), "no CUDA toolkit header at " + CUDA_H);
        String header = Files.readString(CUDA_H);
        Map<String, Integer> symbols = boundSymbols();
        assertTrue(symbols.size() > 40, "found " + symbols.size() + " bindings; the pattern no longer matches the source");
        for (Map.Entry<String, Integer> symbol : symbols.entrySet()) {
            String declared = declaredName(header, symbol.getKey());
            assertNotNull(declared, symbol.getKey() + " is neither declared in cuda.h nor the target of a #define there");
            assertEquals(arity(header, declared), symbol.getValue(), "arguments of " + symbol.getKey());
        }
    }

    /** The name whose prototype cuda.h gives for {@code symbol}: itself, or the plain name #defined to it. */
    private static String declaredName(String header, String symbol) {
        if (prototype(header, symbol).find()) {
            return symbol;
        }
        Matcher define = Pattern.compile("#define\\s+(\\w+)\\s+(?:__CUDA_API_PT\\w+\\()?" + symbol + "\\)?\\s").matcher(header);
        return define.find() ? define.group(1) : null;
    }

    /** {@code CUresult CUDAAPI name(}, on one line or broken after {@code CUDAAPI} as cuda.h does for some. */
    private static Matcher prototype(String header, String name) {
        return Pattern.compile("CUresult CUDAAPI\\s+" + name + "\\(").matcher(header);
    }

    private static int arity(String header, String name) {
        Matcher m = prototype(header, name);
        assertTrue(m.find(), "no prototype of " + name);
        int open = m.end() - 1;
        int close = header.indexOf(')', open);
        String params = header.substring(open + 1, close).trim();
        return params.equals("void") || params.isEmpty() ? 0 : params.split(",").length;
    }
}
