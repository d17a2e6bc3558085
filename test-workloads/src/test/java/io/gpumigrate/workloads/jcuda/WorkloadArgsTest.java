package io.gpumigrate.workloads.jcuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WorkloadArgsTest {
    private static WorkloadArgs args() {
        return new WorkloadArgs("w").flag("n", 64, 1, 1000, "elements");
    }

    @Test
    void keepsTheDefaultWhenAbsentAndTakesAGivenValue() {
        assertEquals(64, args().parse().get("n"));
        assertEquals(512, args().parse("--n", "512").get("n"));
        assertEquals(16, args().parse("--n", "0x10").get("n"));
    }

    @Test
    void rejectsAValueOutsideTheRangeNamingValueAndRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> args().parse("--n", "1001"));
        assertEquals("--n 1001 is outside the allowed range 1..1000", e.getMessage());
    }

    @Test
    void rejectsUnknownOptionsMissingValuesAndNonNumbers() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> args().parse("--m", "1")).getMessage()
                .startsWith("unknown option --m"));
        assertEquals("option --n needs a value",
                assertThrows(IllegalArgumentException.class, () -> args().parse("--n")).getMessage());
        assertEquals("not an integer for --n: ten",
                assertThrows(IllegalArgumentException.class, () -> args().parse("--n", "ten")).getMessage());
    }
}
