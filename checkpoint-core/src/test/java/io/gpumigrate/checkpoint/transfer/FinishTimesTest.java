package io.gpumigrate.checkpoint.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class FinishTimesTest {

    @Test
    void millisecondsHaveOneDecimalRoundedToTheNearestTenth() {
        assertEquals("0.0", FinishTimes.millis(0));
        assertEquals("1.2", FinishTimes.millis(1_234_567));
        assertEquals("16.0", FinishTimes.millis(15_960_000));
        assertEquals("1234.5", FinishTimes.millis(1_234_500_001L));
    }

    @Test
    void theLogLineNamesEachPart() {
        assertEquals("digests 0.4 ms, copy 120.3 ms (reads 30.0 ms, waits 80.1 ms), verify 9.0 ms",
                new FinishTimes(400_000, 120_260_000, 30_000_000, 80_100_000, 9_040_000).toString());
    }
}
