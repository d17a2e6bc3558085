package io.gpumigrate.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Removes gpumigrate's client library from a worker's environment. A worker must load
 * NVIDIA's {@code libcuda.so.1}; if the agent itself was started with our stand-in on
 * {@code LD_LIBRARY_PATH} or {@code LD_PRELOAD} (say, from a shell prepared by
 * {@code gpumigrate run}), the worker would forward its calls to itself.
 *
 * <p>A library is ours when its file contains the marker {@value #MARKER}, the name of the
 * environment variable the client library reads (NVIDIA's library has no reason to contain
 * it). The client's own variables ({@code GPUMIGRATE_AGENT}, {@code GPUMIGRATE_TOKEN}, {@code GPUMIGRATE_TOKEN_FILE}) are
 * removed too. Thread-safe (stateless).
 */
final class ClientLibraryScrubber {

    static final String MARKER = "GPUMIGRATE_AGENT";
    private static final long MAX_SCANNED = 256L << 20;

    private ClientLibraryScrubber() {
    }

    /** Edits {@code env} in place. */
    static void scrub(Map<String, String> env) {
        env.remove("GPUMIGRATE_AGENT");
        env.remove("GPUMIGRATE_TOKEN");
        env.remove("GPUMIGRATE_TOKEN_FILE");
        filter(env, "LD_LIBRARY_PATH", ":", entry -> isOurs(Path.of(entry, "libcuda.so.1")));
        filter(env, "LD_PRELOAD", "[: ]", entry -> isOurs(Path.of(entry)));
    }

    private static void filter(Map<String, String> env, String name, String separator,
                               java.util.function.Predicate<String> drop) {
        String value = env.get(name);
        if (value == null) {
            return;
        }
        List<String> kept = new ArrayList<>();
        for (String entry : value.split(separator)) {
            if (!entry.isEmpty() && !drop.test(entry)) {
                kept.add(entry);
            }
        }
        if (kept.isEmpty()) {
            env.remove(name);
        } else {
            env.put(name, String.join(name.equals("LD_PRELOAD") ? " " : ":", kept));
        }
    }

    /** Whether the file is gpumigrate's client library (false when it is absent or unreadable). */
    static boolean isOurs(Path library) {
        try {
            if (!Files.isRegularFile(library) || Files.size(library) > MAX_SCANNED) {
                return false;
            }
            try (InputStream in = Files.newInputStream(library)) {
                return contains(in, MARKER.getBytes(StandardCharsets.US_ASCII));
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean contains(InputStream in, byte[] needle) throws IOException {
        byte[] buffer = new byte[1 << 16];
        int carry = 0;
        int n;
        while ((n = in.read(buffer, carry, buffer.length - carry)) > 0) {
            int end = carry + n;
            for (int i = 0; i + needle.length <= end; i++) {
                if (matchesAt(buffer, i, needle)) {
                    return true;
                }
            }
            carry = Math.min(needle.length - 1, end);
            System.arraycopy(buffer, end - carry, buffer, 0, carry);
        }
        return false;
    }

    private static boolean matchesAt(byte[] buffer, int at, byte[] needle) {
        for (int j = 0; j < needle.length; j++) {
            if (buffer[at + j] != needle[j]) {
                return false;
            }
        }
        return true;
    }
}
