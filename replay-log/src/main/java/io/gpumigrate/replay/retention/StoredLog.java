package io.gpumigrate.replay.retention;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A session log directory found under a data directory.
 *
 * @param dir          the log directory
 * @param bytes        bytes of all its files
 * @param lastModified when any of its files last changed
 * @param active       whether a writer has it open
 */
public record StoredLog(Path dir, long bytes, Instant lastModified, boolean active) {
}
