package io.gpumigrate.checkpoint.transfer;

import java.util.List;

/**
 * When to stop pre-copying and pause the session: the pause lasts about as long as the final
 * round, which sends what changed since the round before, so pre-copy goes on while a round
 * still shrinks what is left to send and stops once little enough is left or rounds stop helping.
 *
 * @param maxRounds      pre-copy rounds at most, 0 (stop-and-copy) to 100
 * @param smallEnough    bytes: stop once the last round sent no more than this
 * @param minShrink      stop once a round sent more than this fraction of the round before (the
 *                       session dirties memory about as fast as the link carries it), 0 to 1
 */
public record PrecopyPolicy(int maxRounds, long smallEnough, double minShrink) {

    /** Up to 8 rounds; stop below 64 MiB, or when a round sends more than 80% of the one before. */
    public static final PrecopyPolicy DEFAULT = new PrecopyPolicy(8, 64L << 20, 0.8);

    public PrecopyPolicy {
        if (maxRounds < 0 || maxRounds > 100) {
            throw new IllegalArgumentException("pre-copy rounds " + maxRounds + " is outside 0 to 100");
        }
        if (smallEnough < 0) {
            throw new IllegalArgumentException("small-enough bytes " + smallEnough + " must be >= 0");
        }
        if (!(minShrink > 0 && minShrink <= 1)) {
            throw new IllegalArgumentException("shrink fraction " + minShrink + " is outside (0, 1]");
        }
    }

    /** Whether to run another pre-copy round after {@code done} (the rounds so far, in order). */
    public boolean another(List<RoundStats> done) {
        if (done.size() >= maxRounds) {
            return false;
        }
        if (done.isEmpty()) {
            return true;
        }
        long last = done.getLast().rawBytes();
        if (last <= smallEnough) {
            return false;
        }
        return done.size() < 2 || last <= minShrink * done.get(done.size() - 2).rawBytes();
    }
}
