package io.gpumigrate.worker;

import io.gpumigrate.device.DeviceBackend;
import io.gpumigrate.device.emulator.EmulatorBackend;

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

    @Override
    public void close() {
        server.close();
        session.end("test finished").join();
    }
}
