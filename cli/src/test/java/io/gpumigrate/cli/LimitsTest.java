package io.gpumigrate.cli;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LimitsTest {

    @Test
    void sizesTakeBinarySuffixes() {
        assertEquals(0, Limits.bytes("--x", "0"));
        assertEquals(512L << 20, Limits.bytes("--x", "512M"));
        assertEquals(10L << 30, Limits.bytes("--x", "10G"));
        assertEquals(3L << 40, Limits.bytes("--x", "3TiB"));
        assertEquals(4096, Limits.bytes("--x", "4k"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Limits.bytes("--log-max-size", "ten"));
        assertTrue(e.getMessage().startsWith("--log-max-size 'ten' is not a size"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Limits.bytes("--x", "-1G"));
    }

    @Test
    void durationsTakeAUnit() {
        assertEquals(Duration.ofDays(7), Limits.duration("--x", "7d"));
        assertEquals(Duration.ofHours(12), Limits.duration("--x", "12h"));
        assertEquals(Duration.ofMinutes(10), Limits.duration("--x", "10m"));
        assertEquals(Duration.ofSeconds(30), Limits.duration("--x", "30s"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Limits.duration("--log-max-age", "7"));
        assertTrue(e.getMessage().contains("--log-max-age '7' is not a duration"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Limits.duration("--x", "0d"));
    }

    @Test
    void theAgentRefusesABadLimitAsAUsageError() {
        CliRun run = CliRun.of("agent", "--log-max-age", "soon");
        assertEquals(2, run.status());
        assertTrue(run.err().contains("--log-max-age 'soon' is not a duration"), run.err());
    }
}
