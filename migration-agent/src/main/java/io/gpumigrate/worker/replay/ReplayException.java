package io.gpumigrate.worker.replay;

/** A log that cannot be replayed as asked (a gap in it, a sequence number it does not reach); the message says why. */
public final class ReplayException extends Exception {

    public ReplayException(String message) {
        super(message);
    }
}
