package io.gpumigrate.checkpoint.transfer;

import java.io.IOException;

/**
 * A migration transfer that did not complete: a corrupted chunk, a cut connection, a refusal
 * by the other side. Before commit the source stays authoritative and carries on.
 */
public class TransferAbortedException extends IOException {

    public TransferAbortedException(String message) {
        super(message);
    }

    public TransferAbortedException(String message, Throwable cause) {
        super(message, cause);
    }
}
