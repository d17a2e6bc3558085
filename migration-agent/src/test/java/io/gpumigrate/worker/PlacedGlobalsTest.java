package io.gpumigrate.worker;

import io.gpumigrate.checkpoint.SessionImage;
import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.emulator.EmulatorBackend;
import io.gpumigrate.protocol.Op;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * A session whose module globals the device placed in a block of their own: a global only a
 * kernel uses (the client never looks it up) keeps its value through checkpoints and restores,
 * and pointers to globals, kept in a global or in the client's memory, stay valid, because the
 * block comes back at the same address with its contents ({@code placed_globals.cu}).
 */
class PlacedGlobalsTest {

    private static final long ID = 95;

    @TempDir
    Path dir;

    private WorkerFixture worker;
    private WireTestClient client;

    @Test
    void kernelOnlyGlobalsAndPointersToThemSurviveRestores() throws Exception {
        worker = new WorkerFixture(ID, new EmulatorBackend(1L << 30, 2));
        client = worker.attach();
        byte[] ptx;
        try (InputStream in = PlacedGlobalsTest.class.getResourceAsStream("placed_globals.ptx")) {
            ptx = in.readAllBytes();
        }
        long module = client.call(Op.MODULE_LOAD, w -> w.bytes(ptx)).expectSuccess().reader().u64();
        long step = function(module, "step");
        long bumpThrough = function(module, "bumpThrough");
        long out = client.memAlloc(24);
        long[] first = launchStep(step, out);
        assertEquals(1, first[0]);
        long steps = first[2];
        assertEquals(steps, first[1], "stepsAt points at steps");
        launchStep(step, out);
        launchStep(step, out);

        moveTo("first");
        long[] after = launchStep(step, out);
        assertEquals(4, after[0], "steps went on from 3: the kernel-only global kept its value");
        assertEquals(steps, after[2], "steps lies where it did");
        assertEquals(steps, after[1], "the pointer kept in stepsAt still points at steps");
        assertEquals(0, worker.session.onExecutor(() -> worker.session.globals().movedCount()).get(),
                "no global needs translating");

        launch(bumpThrough, out + 8); // the pointer the client's memory holds, from before the restore
        moveTo("second");
        assertEquals(15, launchStep(step, out)[0], "4 + 10 through the stored pointer + 1, after a second restore");
        client.goodbye();
        client.close();
        worker.close();
    }

    private long function(long module, String name) throws Exception {
        return client.call(Op.MODULE_GET_FUNCTION, w -> w.u64(module).str(name)).expectSuccess().reader().u64();
    }

    /** Launches {@code step}; its three output words. */
    private long[] launchStep(long step, long out) throws Exception {
        launch(step, out);
        ByteBuffer got = ByteBuffer.wrap(client.copyDtoH(out, 24)).order(ByteOrder.LITTLE_ENDIAN);
        return new long[] {got.getLong(), got.getLong(), got.getLong()};
    }

    private void launch(long function, long pointer) throws Exception {
        byte[] p = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(pointer).array();
        client.send(Op.LAUNCH_KERNEL, false, w -> w.u64(function).u32(1).u32(1).u32(1).u32(1).u32(1).u32(1).u32(0)
                .u64(0).u32(p.length).bytes(p));
        assertEquals(CuResult.SUCCESS, client.synchronize().status());
    }

    /** Checkpoints the session, ends it, restores it on a fresh device and reattaches. */
    private void moveTo(String name) throws Exception {
        SessionImage exported = worker.session.exportImage().get();
        assertNotEquals(0, exported.modules().get(0).globalsAt(), "the image says where the module's globals lie");
        WorkerFixture.Moved moved = worker.moveThroughCheckpoint(client, dir.resolve(name), new EmulatorBackend(1L << 30, 2));
        worker = moved.worker();
        client = moved.client();
    }
}
