package io.gpumigrate.worker.migration;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;

import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Turns what a control operation failed with into a status and a message for its reply. Thread-safe. */
final class Failures {

    private Failures() {
    }

    static Throwable unwrap(Throwable e) {
        while ((e instanceof ExecutionException || e instanceof CompletionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    static int status(Throwable e) {
        return switch (unwrap(e)) {
            case CudaException c -> c.result();
            case NoSuchFileException x -> CuResult.FILE_NOT_FOUND;
            case AccessDeniedException x -> CuResult.NOT_PERMITTED;
            default -> CuResult.UNKNOWN;
        };
    }

    /** The failure's message; a file system's names the file and what is wrong with it (its own names only the file). */
    static String message(Throwable e) {
        Throwable cause = unwrap(e);
        if (cause instanceof FileSystemException fs && fs.getReason() == null) {
            String what = switch (fs) {
                case NoSuchFileException x -> "no such file or directory";
                case AccessDeniedException x -> "permission denied";
                case NotDirectoryException x -> "not a directory";
                case FileAlreadyExistsException x -> "already exists";
                case DirectoryNotEmptyException x -> "directory not empty";
                default -> fs.getClass().getSimpleName();
            };
            return fs.getFile() + (fs.getOtherFile() != null ? " -> " + fs.getOtherFile() : "") + ": " + what;
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }
}
