package io.gpumigrate.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An agent's configuration file ({@code gpumigrate agent --config FILE}; docs/agent.md): one
 * {@code KEY = VALUE} per line, blank lines and lines starting with {@code #} ignored. Keys:
 * {@code name}, {@code port}, {@code bind}, {@code backend}, {@code device-memory} (bytes),
 * {@code token-file} (relative to the file's directory) and {@code peer.NODE} (value {@code
 * HOST:PORT}, one line per peer). A setting absent from the file is {@code null} here; the
 * command line's flags override the file. Immutable.
 *
 * @param source the file it was read from, for messages
 */
public record AgentConfigFile(Path source, String name, Integer port, String bind, String backend, Long deviceMemory,
                              Path tokenFile, Map<String, HostPort> peers) {

    /** The keys besides {@code peer.NODE}. */
    public static final List<String> SETTINGS = List.of("name", "port", "bind", "backend", "device-memory", "token-file");
    private static final String PEER = "peer.";

    public AgentConfigFile {
        peers = Collections.unmodifiableMap(new LinkedHashMap<>(peers));
    }

    /**
     * Reads {@code file}.
     *
     * @throws IOException when it cannot be read
     * @throws IllegalArgumentException naming the file, the line and what is wrong with it
     */
    public static AgentConfigFile read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Map<String, String> values = new HashMap<>();
        Map<String, Integer> lineOf = new HashMap<>();
        Map<String, HostPort> peers = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            int number = i + 1;
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            String key = eq < 0 ? "" : line.substring(0, eq).strip();
            String value = eq < 0 ? "" : line.substring(eq + 1).strip();
            if (key.isEmpty() || value.isEmpty()) {
                throw error(file, number, "'" + line + "' is not KEY = VALUE");
            }
            if (!key.startsWith(PEER) && !SETTINGS.contains(key)) {
                throw error(file, number, "unknown key '" + key + "'; the keys are " + SETTINGS + " and peer.NODE");
            }
            Integer earlier = lineOf.putIfAbsent(key, number);
            if (earlier != null) {
                throw error(file, number, "'" + key + "' is set again (first on line " + earlier + ")");
            }
            if (key.startsWith(PEER)) {
                String node = key.substring(PEER.length());
                if (node.isEmpty()) {
                    throw error(file, number, "'" + key + "' names no node; write peer.NODE = HOST:PORT");
                }
                try {
                    peers.put(node, HostPort.parse(value));
                } catch (IllegalArgumentException e) {
                    throw error(file, number, "peer " + node + ": " + e.getMessage());
                }
            } else {
                values.put(key, value);
            }
        }
        Integer port = values.containsKey("port")
                ? (int) number(file, lineOf.get("port"), "port", values.get("port"), 0, 65535)
                : null;
        Long memory = values.containsKey("device-memory")
                ? number(file, lineOf.get("device-memory"), "device-memory", values.get("device-memory"), 1,
                        Long.MAX_VALUE)
                : null;
        Path token = values.containsKey("token-file")
                ? resolve(file, Path.of(values.get("token-file")))
                : null;
        return new AgentConfigFile(file, values.get("name"), port, values.get("bind"),
                values.get("backend"), memory, token, peers);
    }

    private static Path resolve(Path file, Path path) {
        Path dir = file.toAbsolutePath().getParent();
        return path.isAbsolute() || dir == null ? path : dir.resolve(path);
    }

    /** {@code value} as a whole number in [min, max], else an error naming the file, line and key. */
    private static long number(Path file, int line, String key, String value, long min, long max) {
        long n;
        try {
            n = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw error(file, line, key + " '" + value + "' is not a whole number in [" + min + ", " + max + "]");
        }
        if (n < min || n > max) {
            throw error(file, line, key + " " + n + " is outside [" + min + ", " + max + "]");
        }
        return n;
    }

    private static IllegalArgumentException error(Path file, int line, String what) {
        return new IllegalArgumentException(file + ":" + line + ": " + what);
    }
}
