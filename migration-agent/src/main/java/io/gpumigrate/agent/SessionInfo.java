package io.gpumigrate.agent;

import io.gpumigrate.device.CudaException;
import io.gpumigrate.protocol.BodyReader;
import io.gpumigrate.protocol.BodyWriter;

/**
 * One row of a {@code SESSION_LIST} reply (docs/wire-protocol.md). Immutable.
 *
 * @param state {@code starting}, {@code running}, {@code finished} or {@code failed}
 */
public record SessionInfo(long session, String program, String node, long deviceMemoryInUse,
                          long callsExecuted, String state) {

    public void writeTo(BodyWriter w) {
        w.u64(session).str(program).str(node).u64(deviceMemoryInUse).u64(callsExecuted).str(state);
    }

    public static SessionInfo readFrom(BodyReader r) throws CudaException {
        return new SessionInfo(r.u64(), r.str(), r.str(), r.u64(), r.u64(), r.str());
    }
}
