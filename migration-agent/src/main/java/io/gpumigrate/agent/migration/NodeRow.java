package io.gpumigrate.agent.migration;

import io.gpumigrate.device.CudaException;
import io.gpumigrate.protocol.BodyReader;
import io.gpumigrate.protocol.BodyWriter;

/**
 * One node of a {@code NODE_LIST} reply. Immutable.
 *
 * @param freeDeviceMemory bytes of device memory its live sessions leave free
 * @param sessions         its live sessions
 */
public record NodeRow(String node, String host, int port, boolean cordoned, long freeDeviceMemory, int sessions) {

    void writeTo(BodyWriter w) {
        w.str(node).str(host).u16(port).u8(cordoned ? 1 : 0).u64(freeDeviceMemory).u32(sessions);
    }

    static NodeRow readFrom(BodyReader r) throws CudaException {
        return new NodeRow(r.str(), r.str(), r.u16(), r.u8() != 0, r.u64(), (int) r.u32());
    }
}
