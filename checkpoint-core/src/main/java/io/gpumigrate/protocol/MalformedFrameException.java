package io.gpumigrate.protocol;

import io.netty.handler.codec.CorruptedFrameException;

/**
 * A frame that cannot be parsed at all (a length or flags field outside what the protocol
 * allows). The receiver closes the connection and logs the message, which names the bad value
 * and the allowed range.
 */
public final class MalformedFrameException extends CorruptedFrameException {

    public MalformedFrameException(String message) {
        super(message);
    }
}
