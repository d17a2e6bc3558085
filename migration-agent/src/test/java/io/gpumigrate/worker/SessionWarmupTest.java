package io.gpumigrate.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gpumigrate.checkpoint.SessionImage;
import org.junit.jupiter.api.Test;

class SessionWarmupTest {

    @Test
    void aSessionsStateIsExportedAndRecreatedOnAnotherDevice() throws Exception {
        for (int round = 0; round < 2; round++) {
            // run() compares the re-created session with the exported image and throws when they differ
            SessionImage back = SessionWarmup.run();
            assertEquals(1, back.contexts().size(), "contexts");
            assertEquals(1, back.modules().size(), "modules");
            assertEquals(1, back.functions().size(), "functions");
            assertEquals(1, back.globals().size(), "globals looked up");
            assertEquals(1, back.streams().size(), "streams");
            assertEquals(1, back.events().size(), "events");
            assertEquals(1, back.allocations().size(), "allocations");
            assertEquals(4096, back.allocations().get(0).size());
        }
    }
}
