package io.gpumigrate.replay.format;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A log file holds bytes that cannot be what a writer wrote: a checksum mismatch, an impossible
 * length, a missing blob. Names the file and the byte offset where the bad data starts.
 */
public class CorruptLogException extends IOException {

    private final transient Path file;
    private final long offset;

    public CorruptLogException(Path file, long offset, String what) {
        super(file + " at offset " + offset + ": " + what);
        this.file = file;
        this.offset = offset;
    }

    /** The file with the bad data. */
    public Path file() {
        return file;
    }

    /** Where in the file the bad data starts. */
    public long offset() {
        return offset;
    }
}
