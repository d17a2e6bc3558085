package io.gpumigrate.agent.migration;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;

import java.util.Comparator;
import java.util.List;

/** Where a session should go: the node, other than its own, that is not cordoned and has the most free device memory. */
final class Placement {

    private Placement() {
    }

    /**
     * @throws CudaException {@code CUDA_ERROR_NOT_FOUND} when no other node can take it
     */
    static String choose(List<NodeRow> nodes, String from) throws CudaException {
        return nodes.stream()
                .filter(n -> !n.node().equals(from) && !n.cordoned())
                .max(Comparator.comparingLong(NodeRow::freeDeviceMemory))
                .map(NodeRow::node)
                .orElseThrow(() -> new CudaException(CuResult.NOT_FOUND, "no node but " + from
                        + " can take a session: every other node is cordoned or unreachable (" + nodes.size()
                        + " node(s) known)"));
    }
}
