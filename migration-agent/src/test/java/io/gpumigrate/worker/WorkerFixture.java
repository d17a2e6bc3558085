package io.gpumigrate.worker;

import io.gpumigrate.checkpoint.CheckpointReader;
import io.gpumigrate.checkpoint.CheckpointWriter;
import io.gpumigrate.checkpoint.ProgressListener;
import io.gpumigrate.checkpoint.SessionImage;
import io.gpumigrate.device.DeviceBackend;
import io.gpumigrate.device.emulator.EmulatorBackend;

import java.nio.file.Path;

/** A worker server in the test's own process, on a free loopback port, serving one session on the emulator. */
final class WorkerFixture implements AutoCloseable {

    static final String SECRET = "test-secret-0123456789";

    final long sessionId;
    final DeviceBackend backend;
    final Session session;
    final WorkerServer server;

    WorkerFixture(long sessionId) throws InterruptedException {
        this(sessionId, new EmulatorBackend(1L << 30));
    }

    WorkerFixture(long sessionId, DeviceBackend backend) throws InterruptedException {
        this.sessionId = sessionId;
        this.backend = backend;
        this.session = new Session(sessionId, SECRET, backend);
        this.server = WorkerServer.start(session, "127.0.0.1", 0);
    }

    WireTestClient attach() throws java.io.IOException {
        return WireTestClient.attach(server.port(), sessionId, SECRET);
    }

    /** A session moved through a checkpoint: the new worker and its client, reattached. */
    record Moved(WorkerFixture worker, WireTestClient client) {
    }

    /**
     * Checkpoints this session into {@code image}, ends it (and closes {@code client}), restores it
     * on a new worker over {@code device} and reattaches a client that goes on from the old one's
     * sequence numbers.
     */
    Moved moveThroughCheckpoint(WireTestClient client, Path image, DeviceBackend device)
            throws Exception {
        SessionImage exported = session.exportImage().get();
        session.onExecutor(() -> new CheckpointWriter().write(exported, session.device(),
                image, ProgressListener.NONE)).get();
        long next = client.lastSeq() + 1;
        client.close();
        close();
        WorkerFixture moved = new WorkerFixture(sessionId, device);
        Session restored = moved.session;
        SessionImage read = restored.onExecutor(() -> CheckpointReader.restore(image, restored.device(), ProgressListener.NONE)).get();
        restored.importImage(read).get();
        WireTestClient reattached = moved.attach();
        reattached.setNextSeq(next);
        return new Moved(moved, reattached);
    }

    @Override
    public void close() {
        server.close();
        session.end("test finished").join();
    }
}
