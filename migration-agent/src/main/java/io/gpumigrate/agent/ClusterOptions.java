package io.gpumigrate.agent;

import io.gpumigrate.device.emulator.EmulatorBackend;
import io.gpumigrate.worker.BackendChoice;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How an agent sits in its cluster: its peers by node name, the device memory it offers
 * (placement prefers the node with most of it free; the emulator reports this much), and
 * further JVM options and environment variables for its workers. Immutable.
 *
 * @param deviceMemoryGiven whether {@code deviceMemory} was given (it then caps a GPU's memory);
 *                          otherwise a GPU node offers the device's total once a worker reports it
 *                          ({@link DeviceMemoryGauge})
 */
public record ClusterOptions(Map<String, HostPort> peers, long deviceMemory, boolean deviceMemoryGiven,
                             List<String> workerJvmOptions, Map<String, String> workerEnvironment) {

    /** No peers, the emulator's default memory (a GPU's own, on a GPU). */
    public static final ClusterOptions ALONE = new ClusterOptions(Map.of(), EmulatorBackend.DEFAULT_TOTAL_MEMORY, List.of(),
            Map.of());

    /** The default device memory (the emulator's; a GPU's own, on a GPU), with these JVM options and environment. */
    public ClusterOptions(Map<String, HostPort> peers, long deviceMemory, List<String> workerJvmOptions,
                          Map<String, String> workerEnvironment) {
        this(peers, deviceMemory, false, workerJvmOptions, workerEnvironment);
    }

    public ClusterOptions {
        peers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(peers));
        if (deviceMemory <= 0) {
            throw new IllegalArgumentException("device memory " + deviceMemory + " must be positive");
        }
        workerJvmOptions = List.copyOf(workerJvmOptions);
        workerEnvironment = Map.copyOf(workerEnvironment);
    }

    /** These options, with {@code name=value} in every worker's environment (e.g. {@code CUDA_VISIBLE_DEVICES}). */
    public ClusterOptions withWorkerEnvironment(String name, String value) {
        Map<String, String> env = new LinkedHashMap<>(workerEnvironment);
        env.put(name, value);
        return new ClusterOptions(peers, deviceMemory, deviceMemoryGiven, workerJvmOptions, env);
    }

    /** These peers, and {@code deviceMemory} given: emulated workers get that much, and it caps a GPU's. */
    public static ClusterOptions of(Map<String, HostPort> peers, long deviceMemory) {
        return new ClusterOptions(peers, deviceMemory, true,
                List.of("-D" + BackendChoice.EMULATOR_MEMORY_PROPERTY + "=" + deviceMemory), Map.of());
    }

    /** These peers, and the default device memory: the emulator's, or a GPU's own. */
    public static ClusterOptions of(Map<String, HostPort> peers) {
        return new ClusterOptions(peers, ALONE.deviceMemory(), List.of(), Map.of());
    }

    /**
     * Parses {@code NAME=HOST:PORT,NAME=HOST:PORT} (empty: no peers).
     *
     * @throws IllegalArgumentException naming the entry that is not of that form
     */
    public static Map<String, HostPort> parsePeers(String value) {
        Map<String, HostPort> peers = new LinkedHashMap<>();
        if (value == null || value.isBlank()) {
            return peers;
        }
        for (String entry : value.split(",")) {
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw new IllegalArgumentException("peer '" + entry + "' is not NAME=HOST:PORT");
            }
            peers.put(entry.substring(0, eq).trim(), HostPort.parse(entry.substring(eq + 1).trim()));
        }
        return peers;
    }
}
