package io.gpumigrate.replay.format;

import java.io.IOException;
import java.nio.file.Path;

/** A log file written in a newer major format version than this build reads. */
public class UnsupportedLogVersionException extends IOException {

    public UnsupportedLogVersionException(Path file, int major, int minor) {
        super(file + " is in replay log format " + LogFormat.version(major, minor)
                + ", but this build reads major version " + LogFormat.VERSION_MAJOR + " only (format "
                + LogFormat.version(LogFormat.VERSION_MAJOR, LogFormat.VERSION_MINOR) + "); use a newer gpumigrate");
    }
}
