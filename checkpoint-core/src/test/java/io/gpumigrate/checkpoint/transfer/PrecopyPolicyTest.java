package io.gpumigrate.checkpoint.transfer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PrecopyPolicyTest {

    private static final long MIB = 1 << 20;
    private final PrecopyPolicy policy = new PrecopyPolicy(4, 64 * MIB, 0.8);

    private static RoundStats sent(long bytes) {
        return new RoundStats(1, 0, 0, 0, 0, bytes, bytes, 1);
    }

    @Test
    void firstRoundAlwaysRunsUnlessStopAndCopy() {
        assertTrue(policy.another(List.of()));
        assertFalse(new PrecopyPolicy(0, 0, 1).another(List.of()));
    }

    @Test
    void goesOnWhileRoundsShrinkAndStopsWhenLittleIsLeft() {
        assertTrue(policy.another(List.of(sent(4096 * MIB))));
        assertTrue(policy.another(List.of(sent(4096 * MIB), sent(1024 * MIB))));
        assertFalse(policy.another(List.of(sent(4096 * MIB), sent(1024 * MIB), sent(60 * MIB))));
    }

    @Test
    void stopsWhenARoundNoLongerShrinksOrAtTheRoundLimit() {
        assertFalse(policy.another(List.of(sent(4096 * MIB), sent(3900 * MIB))));
        assertFalse(policy.another(List.of(sent(4096 * MIB), sent(2048 * MIB), sent(1024 * MIB), sent(512 * MIB))));
    }

    @Test
    void outOfRangeSettingsAreRefusedWithTheRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PrecopyPolicy(101, 0, 0.5));
        assertTrue(e.getMessage().contains("101") && e.getMessage().contains("0 to 100"), e.getMessage());
    }
}
