package io.gpumigrate.agent;

import io.gpumigrate.worker.BackendChoice;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * How a node agent runs. Immutable.
 *
 * @param name                 the node's name, shown by {@code ps}
 * @param port                 the TCP port (0 = any free port)
 * @param bind                 the address to listen on
 * @param backend              the device backend its workers use
 * @param token                the shared secret clients must present, or {@code null} for none;
 *                             required whenever {@code bind} is not a loopback address
 * @param attachTimeoutSeconds how long a new worker waits for its client before it exits
 * @param warmWorkers          how many workers to keep started ahead of their sessions, in [0, 64]
 */
public record AgentConfig(String name, int port, String bind, BackendChoice backend, byte[] token,
                          int attachTimeoutSeconds, int warmWorkers) {

    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final int DEFAULT_WARM_WORKERS = 1;

    /** A configuration with {@value #DEFAULT_WARM_WORKERS} warm worker. */
    public AgentConfig(String name, int port, String bind, BackendChoice backend, byte[] token, int attachTimeoutSeconds) {
        this(name, port, bind, backend, token, attachTimeoutSeconds, DEFAULT_WARM_WORKERS);
    }

    public AgentConfig {
        if (warmWorkers < 0 || warmWorkers > 64) {
            throw new IllegalArgumentException("warm workers " + warmWorkers + " outside [0, 64]");
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("the node needs a name");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " outside [0, 65535]");
        }
        if (token != null && token.length == 0) {
            throw new IllegalArgumentException("the token is empty");
        }
        if (token == null && !isLoopback(bind)) {
            throw new IllegalArgumentException("the agent would listen on " + bind
                    + ", beyond loopback: a token file (--token-file) is required");
        }
        token = token == null ? null : token.clone();
    }

    /** Whether {@code address} names only this machine (127.0.0.0/8, ::1, localhost). */
    public static boolean isLoopback(String address) {
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve bind address '" + address + "'");
        }
    }

    /** Reads a token file: its content without surrounding white space, which must not be empty. */
    public static byte[] readToken(Path file) throws IOException {
        String token = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (token.isEmpty()) {
            throw new IOException("token file " + file + " is empty");
        }
        return token.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether a client's token is acceptable: any when none is required, else equal, compared in constant time. */
    public boolean accepts(String candidate) {
        return token == null || MessageDigest.isEqual(token, candidate.getBytes(StandardCharsets.UTF_8));
    }

    public boolean requiresToken() {
        return token != null;
    }

    @Override
    public byte[] token() {
        return token == null ? null : token.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AgentConfig c && c.name.equals(name) && c.port == port && c.bind.equals(bind)
                && c.backend == backend && Arrays.equals(c.token, token) && c.attachTimeoutSeconds == attachTimeoutSeconds && c.warmWorkers == warmWorkers;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + port;
    }

    @Override
    public String toString() {
        return "AgentConfig[name=" + name + ", bind=" + bind + ":" + port + ", backend=" + backend.label()
                + ", token=" + (token == null ? "none" : "required") + ", warm workers=" + warmWorkers + "]";
    }
}
