package io.gpumigrate.worker;

import io.gpumigrate.protocol.BodyReader;
import io.gpumigrate.protocol.Op;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * A worker session on the emulator, recorded to a replay log in {@code dir}, with a client that
 * has loaded {@code replay_kernels.ptx}. {@link #close} says GOODBYE and waits until the log is closed.
 */
final class RecordedSession implements AutoCloseable {

    final WorkerFixture worker;
    final WireTestClient client;
    final long module;

    RecordedSession(long id, Path dir) throws Exception {
        worker = new WorkerFixture(id);
        worker.session.observe(ReplayLogRecorder.open(dir, id));
        client = worker.attach();
        byte[] ptx;
        try (InputStream in = RecordedSession.class.getResourceAsStream("replay_kernels.ptx")) {
            ptx = in.readAllBytes();
        }
        module = client.call(Op.MODULE_LOAD, w -> w.bytes(ptx)).expectSuccess().reader().u64();
    }

    long function(String name) throws Exception {
        BodyReader r = client.call(Op.MODULE_GET_FUNCTION, w -> w.u64(module).str(name)).expectSuccess().reader();
        return r.u64();
    }

    /** Launches {@code function} on a 1-D grid; returns the launch's sequence number. */
    long launch(long function, int grid, int block, ByteBuffer params) throws IOException {
        byte[] p = params.array();
        return client.send(Op.LAUNCH_KERNEL, false, w -> w.u64(function).u32(grid).u32(1).u32(1).u32(block).u32(1)
                .u32(1).u32(0).u64(0).u32(p.length).bytes(p));
    }

    static ByteBuffer params(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void close() throws Exception {
        client.goodbye();
        client.close();
        worker.session.ended().join();
        worker.close();
    }
}
