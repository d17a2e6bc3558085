package io.gpumigrate.worker.migration;

import io.gpumigrate.device.CudaException;
import io.gpumigrate.protocol.BodyReader;
import io.gpumigrate.protocol.Op;

/**
 * One operation the agent runs on a worker over its control connection. The methods are called
 * on the connection's event loop and must not block: the work runs on a thread of its own.
 */
interface ControlOperation {

    /** The first call: {@code body} is what follows the secret. */
    void start(long seq, BodyReader body) throws CudaException;

    /** A later call on the same connection (a commit). */
    void next(Op op, long seq, BodyReader body) throws CudaException;

    /** The agent's connection closed; before a commit that means: give up. */
    void connectionClosed();
}
