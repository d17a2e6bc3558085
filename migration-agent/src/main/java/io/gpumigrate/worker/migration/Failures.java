package io.gpumigrate.worker.migration;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;

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
        return unwrap(e) instanceof CudaException c ? c.result() : CuResult.UNKNOWN;
    }

    static String message(Throwable e) {
        Throwable cause = unwrap(e);
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }
}
