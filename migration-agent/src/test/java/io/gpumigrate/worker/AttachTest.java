package io.gpumigrate.worker;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.protocol.Frame;
import io.gpumigrate.protocol.Op;
import io.gpumigrate.protocol.WireFormat;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.EOFException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The worker accepts exactly one client: the one with the session's id and secret. */
class AttachTest {

    private WorkerFixture worker;

    @BeforeEach
    void start() throws Exception {
        worker = new WorkerFixture(77);
    }

    @AfterEach
    void stop() {
        worker.close();
    }

    @Test
    void aWrongSecretIsRefusedAndTheConnectionClosed() throws Exception {
        try (WireTestClient c = WireTestClient.connect(worker.server.port())) {
            WireTestClient.Reply reply = c.attachReply(77, "not-the-secret");
            assertEquals(CuResult.NOT_PERMITTED, reply.status());
            assertThrows(EOFException.class, c::receive);
        }
        try (WireTestClient c = WireTestClient.connect(worker.server.port())) {
            assertEquals(CuResult.NOT_PERMITTED, c.attachReply(78, WorkerFixture.SECRET).status());
        }
        assertFalse(worker.session.clientAttached());
        try (WireTestClient c = worker.attach()) {
            assertEquals(CuResult.SUCCESS, c.synchronize().status());
        }
    }

    @Test
    void anotherMajorVersionIsNotSupportedNamingBothVersions() throws Exception {
        try (WireTestClient c = WireTestClient.connect(worker.server.port())) {
            var body = Unpooled.buffer().writeIntLE(WireFormat.MAGIC).writeShortLE(2).writeShortLE(0)
                    .writeLongLE(77);
            new io.gpumigrate.protocol.BodyWriter(body).str(WorkerFixture.SECRET);
            c.sendFrame(Frame.of(Op.ATTACH, true, 0, body));
            WireTestClient.Reply reply = c.receive();
            assertEquals(CuResult.NOT_SUPPORTED, reply.status());
            assertTrue(reply.message().contains("2.0") && reply.message().contains("1.0"), reply.message());
        }
    }

    @Test
    void aCallBeforeAttachIsRefused() throws Exception {
        try (WireTestClient c = WireTestClient.connect(worker.server.port())) {
            WireTestClient.Reply reply = c.call(Op.MEM_ALLOC, w -> w.u64(4096));
            assertEquals(CuResult.NOT_PERMITTED, reply.status());
            assertThrows(EOFException.class, c::receive);
        }
        assertEquals(0, worker.session.stats().callsExecuted());
    }

    @Test
    void attachIsRefusedWhileTheSessionIsStillArrivingThenAccepted() throws Exception {
        worker.session.attachWait().suspend(); // as a restore does until the image is in place
        try (WireTestClient early = WireTestClient.connect(worker.server.port())) {
            WireTestClient.Reply reply = early.attachReply(77, WorkerFixture.SECRET);
            assertEquals(CuResult.NOT_READY, reply.status());
            assertTrue(reply.message().contains("still being restored or migrated here"), reply.message());
            assertThrows(EOFException.class, early::receive);
        }
        assertFalse(worker.session.clientAttached(), "the early client did not take the session");
        worker.session.attachWait().restart();
        try (WireTestClient c = worker.attach()) {
            assertEquals(CuResult.SUCCESS, c.synchronize().status());
        }
    }

    @Test
    void aSecondClientIsRefusedWhileTheFirstIsAttached() throws Exception {
        try (WireTestClient first = worker.attach();
             WireTestClient second = WireTestClient.connect(worker.server.port())) {
            assertEquals(CuResult.ILLEGAL_STATE, second.attachReply(77, WorkerFixture.SECRET).status());
            assertEquals(CuResult.SUCCESS, first.synchronize().status());
        }
    }

    @Test
    void attachReportsTheLastAppliedSeq() throws Exception {
        try (WireTestClient c = WireTestClient.connect(worker.server.port())) {
            WireTestClient.Reply reply = c.attachReply(77, WorkerFixture.SECRET);
            assertEquals(CuResult.SUCCESS, reply.status());
            assertEquals(0, reply.reader().u64(), "a fresh session has applied nothing");
            c.memAlloc(64);
            assertEquals(c.lastSeq(), worker.session.stats().lastAppliedSeq());
        }
    }

    @Test
    void aMalformedFrameClosesOnlyThatConnection() throws Exception {
        try (WireTestClient good = worker.attach()) {
            long dptr = good.memAlloc(64);
            try (WireTestClient bad = WireTestClient.connect(worker.server.port())) {
                bad.sendRaw(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, 1, 2, 3});
                assertThrows(EOFException.class, bad::receive);
            }
            good.copyHtoD(dptr, new byte[64]);
            assertEquals(64, good.copyDtoH(dptr, 64).length);
        }
    }
}
