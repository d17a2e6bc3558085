package io.gpumigrate.device.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AddressWindowTest {

    private static final long G = 2L << 20;
    private static final long BASE = 0x2000_0000_0000L;

    private final AddressWindow window = new AddressWindow(BASE, 16 * G, G);

    @Test
    void firstAllocationsAreLaidOutFromTheBaseUpwards() {
        assertEquals(BASE, window.allocate(G));
        assertEquals(BASE + G, window.allocate(3 * G));
        assertEquals(BASE + 4 * G, window.allocate(G));
        assertEquals(11 * G, window.freeBytes());
    }

    @Test
    void freedRangesAreReusedLowestFirst() {
        long a = window.allocate(2 * G);
        long b = window.allocate(G);
        long c = window.allocate(2 * G);
        window.release(a, 2 * G);
        window.release(c, 2 * G);
        assertEquals(a, window.allocate(G), "the lowest hole that fits");
        assertEquals(a + G, window.allocate(G));
        assertEquals(c, window.allocate(2 * G), "the hole left by c, before the untouched tail");
        assertEquals(b + G + 2 * G, window.allocate(G));
    }

    @Test
    void releasedNeighboursCoalesceIntoOneRange() {
        long a = window.allocate(4 * G);
        long b = window.allocate(4 * G);
        long c = window.allocate(8 * G);
        assertEquals(-1, window.allocate(G), "window full");
        window.release(a, 4 * G);
        window.release(c, 8 * G);
        window.release(b, 4 * G);
        assertEquals(16 * G, window.largestFree());
        assertEquals(BASE, window.allocate(16 * G));
    }

    @Test
    void aRequestLargerThanEveryHoleFails() {
        long a = window.allocate(4 * G);
        window.allocate(G);
        window.allocate(11 * G);
        window.release(a, 4 * G);
        assertEquals(-1, window.allocate(5 * G));
        assertEquals(a, window.allocate(4 * G));
    }

    @Test
    void allocateAtTakesExactlyTheRequestedRange() {
        assertTrue(window.allocateAt(BASE + 5 * G, 2 * G));
        assertEquals(BASE, window.allocate(5 * G), "the range below still fits exactly");
        assertEquals(BASE + 7 * G, window.allocate(G), "first-fit skips the placed range");
        assertFalse(window.allocateAt(BASE + 6 * G, G), "overlaps a taken range");
        assertFalse(window.allocateAt(BASE + 15 * G, 2 * G), "runs past the window's end");
        assertFalse(window.allocateAt(BASE - G, G), "below the window");
        assertThrows(IllegalArgumentException.class, () -> window.allocateAt(BASE + 12345, G));
    }

    @Test
    void releasingAFreeOrForeignRangeIsABug() {
        long a = window.allocate(G);
        window.release(a, G);
        assertThrows(IllegalStateException.class, () -> window.release(a, G));
        assertThrows(IllegalStateException.class, () -> window.release(BASE + 16 * G, G));
        long b = window.allocate(2 * G);
        assertThrows(IllegalStateException.class, () -> window.release(b + G, 2 * G), "overlaps the free tail");
    }

    @Test
    void sizesRoundUpToTheGranularity() {
        assertEquals(G, window.roundUp(1));
        assertEquals(G, window.roundUp(G));
        assertEquals(2 * G, window.roundUp(G + 1));
        assertEquals(-1, window.roundUp(Long.MAX_VALUE));
        assertThrows(IllegalArgumentException.class, () -> window.roundUp(0));
        assertThrows(IllegalArgumentException.class, () -> window.allocate(G / 2));
    }

    @Test
    void badWindowsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new AddressWindow(BASE, 16 * G, 3));
        assertThrows(IllegalArgumentException.class, () -> new AddressWindow(BASE + 4096, 16 * G, G));
        assertThrows(IllegalArgumentException.class, () -> new AddressWindow(BASE, G + 1, G));
        assertThrows(IllegalArgumentException.class, () -> new AddressWindow(Long.MAX_VALUE - G + 1, 2 * G, G));
    }
}
