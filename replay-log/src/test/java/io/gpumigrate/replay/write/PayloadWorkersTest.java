package io.gpumigrate.replay.write;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PayloadWorkersTest {

    @Test
    void runsEveryItemExactlyOnce() throws IOException {
        for (int n : new int[] {0, 1, 2, 37}) {
            AtomicIntegerArray runs = new AtomicIntegerArray(Math.max(1, n));
            PayloadWorkers.forEach(n, runs::incrementAndGet);
            for (int i = 0; i < n; i++) {
                assertEquals(1, runs.get(i), "item " + i + " of " + n);
            }
        }
    }

    @Test
    void aFailingItemFailsTheBatchAfterTheOthersRan() {
        AtomicIntegerArray runs = new AtomicIntegerArray(10);
        IOException e = assertThrows(IOException.class, () -> PayloadWorkers.forEach(10, i -> {
            runs.incrementAndGet(i);
            if (i == 3) {
                throw new IOException("disk full at item 3");
            }
        }));
        assertEquals("disk full at item 3", e.getMessage());
        for (int i = 0; i < 10; i++) {
            assertEquals(1, runs.get(i), "item " + i);
        }
    }
}
