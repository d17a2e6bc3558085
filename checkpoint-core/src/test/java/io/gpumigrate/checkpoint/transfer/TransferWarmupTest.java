package io.gpumigrate.checkpoint.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TransferWarmupTest {

    @Test
    void runsTheAskedMigrationsEachCheckedAgainstItsSource() throws Exception {
        TransferWarmup.Result r = TransferWarmup.run(2);
        assertEquals(2, r.runs());
        assertEquals(3L * (2 << 20), r.bytesEach(), "a zero, a compressible and a random allocation of 2 MiB");
        assertTrue(r.firstMillis() > 0 && r.lastMillis() > 0, r.toString());
    }

    @Test
    void zeroRunsDoNothing() throws Exception {
        TransferWarmup.Result r = TransferWarmup.run(0);
        assertEquals(0, r.runs());
        assertEquals(0, r.bytesEach());
    }
}
