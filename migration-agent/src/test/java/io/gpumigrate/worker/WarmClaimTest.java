package io.gpumigrate.worker;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WarmClaimTest {

    private static Optional<WarmClaim> read(String text) throws IOException {
        return WarmClaim.read(new BufferedReader(new StringReader(text)));
    }

    @Test
    void aClaimLineReadsBackAsTheSameClaim() throws IOException {
        WarmClaim claim = new WarmClaim(0xFFFF_FFF0L, "c0ffee");
        assertEquals(Optional.of(claim), read(claim.line()));
    }

    @Test
    void endOfInputMeansReleasedUnused() throws IOException {
        assertTrue(read("").isEmpty());
    }

    @Test
    void anythingElseIsRefusedNamingWhatCame() {
        IOException e = assertThrows(IOException.class, () -> read("hello 1 2\n"));
        assertEquals("expected 'claim SESSION SECRET' on standard input, got 3 words starting with 'hello'", e.getMessage());
        assertThrows(IOException.class, () -> read("claim x secret\n"));
        assertThrows(IllegalArgumentException.class, () -> new WarmClaim(1, "two words"));
    }

    @Test
    void warmOptionsNeedNoSessionButRefuseOne() throws IOException {
        WorkerOptions warm = WorkerOptions.parse(new String[] {"--warm", "--backend", "emulator"});
        assertTrue(warm.warm());
        assertThrows(IllegalArgumentException.class,
                () -> WorkerOptions.parse(new String[] {"--warm", "--session", "5", "--secret", "s"}));
    }
}
