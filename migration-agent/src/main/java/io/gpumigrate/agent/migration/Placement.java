package io.gpumigrate.agent.migration;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** Where a session should go: the node, other than its own, that is not cordoned and has the most free device memory. */
final class Placement {

    private Placement() {
    }

    /**
     * @throws CudaException {@code CUDA_ERROR_NOT_FOUND} when no other node can take it
     */
    static String choose(List<NodeRow> nodes, String from) throws CudaException {
        return choose(nodes, from, Map.of());
    }

    /**
     * As {@link #choose(List, String)}, with {@code promised} bytes per node (moves already
     * headed there) taken from its free memory first.
     */
    static String choose(List<NodeRow> nodes, String from, Map<String, Long> promised) throws CudaException {
        return nodes.stream()
                .filter(n -> !n.node().equals(from) && !n.cordoned())
                .max(Comparator.comparingLong(n -> n.freeDeviceMemory() - promised.getOrDefault(n.node(), 0L)))
                .map(NodeRow::node)
                .orElseThrow(() -> new CudaException(CuResult.NOT_FOUND, "no node but " + from
                        + " can take a session: every other node is cordoned or unreachable (" + nodes.size()
                        + " node(s) known)"));
    }
}
