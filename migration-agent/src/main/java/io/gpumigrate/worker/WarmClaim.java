package io.gpumigrate.worker;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.Optional;

/**
 * The line by which an agent hands a warm worker its session, on the worker's standard input
 * (never its command line, which every local user can read): {@code claim SESSION SECRET}.
 * End of input instead means the agent released the worker unused. Thread-safe (immutable).
 *
 * @param session the session's id (unsigned)
 * @param secret  the session's secret, non-empty, no white space
 */
public record WarmClaim(long session, String secret) {

    private static final String WORD = "claim";

    public WarmClaim {
        if (secret == null || secret.isEmpty() || secret.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("a claim's secret must be non-empty and free of white space");
        }
    }

    /** The line that carries this claim, newline included. */
    public String line() {
        return WORD + " " + Long.toUnsignedString(session) + " " + secret + "\n";
    }

    /**
     * Blocks for the claim line.
     *
     * @return the claim, or empty at end of input
     * @throws IOException when the line is not a claim (naming what it got) or cannot be read
     */
    static Optional<WarmClaim> read(BufferedReader in) throws IOException {
        String line = in.readLine();
        if (line == null) {
            return Optional.empty();
        }
        String[] words = line.strip().split(" ");
        if (words.length != 3 || !words[0].equals(WORD)) {
            throw new IOException("expected 'claim SESSION SECRET' on standard input, got " + words.length + " words"
                    + (words.length > 0 ? " starting with '" + words[0] + "'" : ""));
        }
        try {
            return Optional.of(new WarmClaim(Long.parseUnsignedLong(words[1]), words[2]));
        } catch (NumberFormatException e) {
            throw new IOException("claim's session '" + words[1] + "' is not an unsigned 64-bit number");
        }
    }
}
