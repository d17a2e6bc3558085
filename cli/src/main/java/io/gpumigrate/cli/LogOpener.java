package io.gpumigrate.cli;

import io.gpumigrate.replay.format.CorruptLogException;
import io.gpumigrate.replay.format.UnsupportedLogVersionException;
import io.gpumigrate.replay.read.SessionLog;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Opens a replay log for {@code log show} and {@code replay}, turning every way it can fail into
 * one clear line, and prints on {@code err} what recovery did to a torn tail. Stateless.
 */
final class LogOpener {

    private LogOpener() {
    }

    static SessionLog open(Path dir, PrintWriter err) throws CliException {
        SessionLog log;
        try {
            log = SessionLog.open(dir);
        } catch (NoSuchFileException e) {
            throw new CliException("no replay log at " + dir + ": not a directory");
        } catch (UnsupportedLogVersionException e) {
            throw new CliException("replay log " + dir + " has a format this version cannot read: " + e.getMessage(), e);
        } catch (CorruptLogException e) {
            throw new CliException("replay log " + dir + " is damaged and cannot be read: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new CliException("cannot read the replay log " + dir + ": " + e, e);
        }
        if (log.segments().isEmpty()) {
            throw new CliException("no replay log at " + dir + ": it holds no segment files (*.seg)"
                    + (log.recovery().truncated() ? "; " + log.recovery() : ""));
        }
        if (log.recovery().truncated()) {
            err.println("recovered " + dir + ": " + log.recovery());
            err.flush();
        } else if (log.active()) {
            err.println("note: " + dir + " is still being written; showing what is on disk");
            err.flush();
        }
        return log;
    }

    /** One line for an error met while reading entries (a block damaged past the tail, a missing blob). */
    static CliException readFailure(Path dir, IOException e) {
        if (e instanceof CorruptLogException) {
            return new CliException("replay log " + dir + " is damaged: " + e.getMessage(), e);
        }
        return new CliException("cannot read the replay log " + dir + ": " + e, e);
    }
}
