package io.gpumigrate.agent.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlacementTest {

    private static final long GIB = 1L << 30;

    private static NodeRow node(String name, boolean cordoned, long free) {
        return new NodeRow(name, "127.0.0.1", 7717, cordoned, free, 0);
    }

    @Test
    void thePeerWithTheMostFreeMemoryThatIsNotCordoned() throws CudaException {
        List<NodeRow> nodes = List.of(node("a", false, 90 * GIB), node("b", false, 40 * GIB),
                node("c", true, 80 * GIB), node("d", false, 60 * GIB));
        assertEquals("d", Placement.choose(nodes, "a"), "a is the source, c is cordoned");
    }

    @Test
    void memoryPromisedToMovesUnderWayCountsAgainstTheirTarget() throws CudaException {
        List<NodeRow> nodes = List.of(node("a", false, 0), node("b", false, 60 * GIB), node("c", false, 50 * GIB));
        assertEquals("b", Placement.choose(nodes, "a", Map.of()));
        assertEquals("c", Placement.choose(nodes, "a", Map.of("b", 20 * GIB)), "b has 40 GiB left once promised 20");
        assertEquals("b", Placement.choose(nodes, "a", Map.of("b", 20 * GIB, "c", 15 * GIB)));
    }

    @Test
    void aDrainsPromisesLastUntilTheirMovesEnd() throws CudaException {
        List<NodeRow> nodes = List.of(node("a", false, 0), node("b", false, 60 * GIB), node("c", false, 50 * GIB));
        Drain.Reservations reserved = new Drain.Reservations(() -> nodes, "a");
        assertEquals("b", reserved.place(20 * GIB));
        assertEquals("c", reserved.place(5 * GIB), "b has 40 GiB left while its move is under way");
        reserved.ended("b", 20 * GIB);
        assertEquals("b", reserved.place(5 * GIB), "a move that ended is in b's own figure, not promised again");
    }

    @Test
    void noOtherNodeIsNotFound() {
        CudaException e = assertThrows(CudaException.class,
                () -> Placement.choose(List.of(node("a", false, GIB), node("b", true, GIB)), "a"));
        assertEquals(CuResult.NOT_FOUND, e.result());
    }
}
