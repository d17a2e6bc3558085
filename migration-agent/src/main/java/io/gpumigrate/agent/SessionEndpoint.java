package io.gpumigrate.agent;

/**
 * Where a live session's worker listens and the secret that opens it: what a client needs
 * to ATTACH, and what the agent needs for its control connection. Immutable.
 */
public record SessionEndpoint(String host, int port, String secret) {
}
