package io.gpumigrate.checkpoint.transfer;

import io.netty.handler.codec.CorruptedFrameException;

/** A migration frame that cannot be parsed; the message carries the offending value. */
public class TransferFrameException extends CorruptedFrameException {

    public TransferFrameException(String message) {
        super(message);
    }
}
