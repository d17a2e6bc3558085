package io.gpumigrate.agent.migration;

import io.gpumigrate.protocol.Op;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Live migrations back and forth of a session whose module keeps a global that only its kernel
 * uses (the client never looks it up) and a pointer to it in another global: the target loads the
 * module before the pause with its globals where they were, and the pause brings their contents,
 * so the count goes on and every pointer to it, in a global or in the client's memory, stays
 * valid ({@code placed_globals.cu}).
 */
class PlacedGlobalsMigrationTest {

    @Test
    void aKernelOnlyGlobalAndPointersToItCrossEveryMigration() throws Exception {
        byte[] ptx;
        try (InputStream in = PlacedGlobalsMigrationTest.class.getResourceAsStream("/io/gpumigrate/worker/placed_globals.ptx")) {
            ptx = in.readAllBytes();
        }
        try (TwoNodes nodes = new TwoNodes();
             ResendingTestClient client = ResendingTestClient.open(TwoNodes.address(nodes.a), "placed-globals")) {
            client.call(Op.CTX_CREATE, w -> w.u32(0).i32(0)).expectSuccess();
            long module = client.call(Op.MODULE_LOAD, w -> w.bytes(ptx)).expectSuccess().reader().u64();
            long step = function(client, module, "step");
            long bumpThrough = function(client, module, "bumpThrough");
            long out = client.call(Op.MEM_ALLOC, w -> w.u64(24)).expectSuccess().reader().u64();
            long steps = launchStep(client, step, out)[2];
            ControlClient control = nodes.control(nodes.a);
            for (int move = 1; move <= 4; move++) {
                control.migrate(client.session(), move % 2 == 1 ? "node-b" : "node-a", 60_000, true, p -> { });
                long[] got = launchStep(client, step, out);
                assertEquals(move + 1, got[0], "steps after migration " + move + ": the count went on");
                assertEquals(steps, got[2], "steps lies where it did after migration " + move);
                assertEquals(steps, got[1], "the pointer kept in stepsAt after migration " + move);
            }
            launch(client, bumpThrough, out + 8); // through the pointer stored in the client's memory before the moves
            assertEquals(5 + 10 + 1, launchStep(client, step, out)[0]);
            assertEquals(4, client.moves(), "the client followed each move");
        }
    }

    private static long function(ResendingTestClient client, long module, String name) throws Exception {
        return client.call(Op.MODULE_GET_FUNCTION, w -> w.u64(module).str(name)).expectSuccess().reader().u64();
    }

    private static long[] launchStep(ResendingTestClient client, long step, long out) throws Exception {
        launch(client, step, out);
        ByteBuffer got = ByteBuffer.wrap(client.call(Op.MEMCPY_DTOH, w -> w.u64(out).u64(24).u64(0)).expectSuccess()
                .results()).order(ByteOrder.LITTLE_ENDIAN);
        return new long[] {got.getLong(), got.getLong(), got.getLong()};
    }

    private static void launch(ResendingTestClient client, long function, long pointer) throws Exception {
        byte[] p = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(pointer).array();
        client.async(Op.LAUNCH_KERNEL, w -> w.u64(function).u32(1).u32(1).u32(1).u32(1).u32(1).u32(1).u32(0).u64(0)
                .u32(p.length).bytes(p));
    }
}
