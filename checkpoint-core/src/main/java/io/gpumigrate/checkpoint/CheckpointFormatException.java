package io.gpumigrate.checkpoint;

import java.io.IOException;

/**
 * A checkpoint image, or a session image on the wire, that cannot be used: a missing,
 * truncated or corrupted file, a bad magic, a newer major version. The message names the
 * file (or the stream) and what was wrong with it.
 */
public class CheckpointFormatException extends IOException {

    public CheckpointFormatException(String message) {
        super(message);
    }

    public CheckpointFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
