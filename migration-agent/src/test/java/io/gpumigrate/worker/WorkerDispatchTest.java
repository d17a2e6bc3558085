package io.gpumigrate.worker;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.emulator.EmulatorBackend;
import io.gpumigrate.protocol.Op;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Random;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Calls through a real TCP connection to a worker executing on the emulator backend. */
class WorkerDispatchTest {

    private WorkerFixture worker;
    private WireTestClient client;

    @BeforeEach
    void start() throws Exception {
        worker = new WorkerFixture(41);
        client = worker.attach();
    }

    @AfterEach
    void stop() throws IOException {
        client.close();
        worker.close();
    }

    private static byte[] pattern(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void hostToDeviceToHostRoundTripsTheBytes() throws Exception {
        int size = 3 << 20;
        long dptr = client.memAlloc(size);
        assertNotEquals(0, dptr);
        byte[] data = pattern(size, 1);
        client.copyHtoD(dptr, data);
        assertArrayEquals(data, client.copyDtoH(dptr, size));
        byte[] middle = client.copyDtoH(dptr + 1000, 24);
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 1000, 1024), middle);
        await().atMost(Duration.ofSeconds(5)).until(() -> worker.session.stats().deviceMemoryInUse() == size);
        assertEquals(client.lastSeq(), worker.session.stats().lastAppliedSeq());
        assertEquals(4, worker.session.stats().callsExecuted());
    }

    @Test
    void memsetFillsElementsOfEachSize() throws Exception {
        long dptr = client.memAlloc(64);
        client.async(Op.MEMSET, w -> w.u64(dptr).u32(0xAB).u32(1).u64(64).u64(0));
        client.async(Op.MEMSET, w -> w.u64(dptr + 8).u32(0xBEEF).u32(2).u64(2).u64(0));
        client.async(Op.MEMSET, w -> w.u64(dptr + 16).u32(0x01020304).u32(4).u64(3).u64(0));
        ByteBuffer got = ByteBuffer.wrap(client.copyDtoH(dptr, 64)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals((byte) 0xAB, got.get(0));
        assertEquals((short) 0xBEEF, got.getShort(8));
        assertEquals((short) 0xBEEF, got.getShort(10));
        assertEquals((byte) 0xAB, got.get(12));
        assertEquals(0x01020304, got.getInt(16));
        assertEquals(0x01020304, got.getInt(24));
        assertEquals((byte) 0xAB, got.get(28));
        assertEquals((byte) 0xAB, got.get(63));
    }

    @Test
    void deviceToDeviceCopiesBetweenAllocations() throws Exception {
        long a = client.memAlloc(4096);
        long b = client.memAlloc(4096);
        byte[] data = pattern(4096, 2);
        client.copyHtoD(a, data);
        client.async(Op.MEMCPY_DTOD, w -> w.u64(b).u64(a).u64(4096).u64(0));
        assertArrayEquals(data, client.copyDtoH(b, 4096));
    }

    @Test
    void unknownHandlesAreInvalidHandleErrors() throws Exception {
        long stream = client.call(Op.STREAM_CREATE, w -> w.u32(0).i32(0)).expectSuccess().reader().u64();
        assertEquals(CuResult.SUCCESS, client.call(Op.STREAM_SYNCHRONIZE, w -> w.u64(stream)).status());
        assertEquals(CuResult.INVALID_HANDLE, client.call(Op.STREAM_SYNCHRONIZE, w -> w.u64(stream + 1)).status());
        assertEquals(CuResult.INVALID_HANDLE, client.call(Op.MODULE_GET_FUNCTION,
                w -> w.u64(stream).str("kernel")).status(), "a stream handle is not a module handle");
        assertEquals(CuResult.INVALID_HANDLE, client.call(Op.EVENT_QUERY, w -> w.u64(0x1234)).status());
        assertEquals(CuResult.SUCCESS, client.call(Op.STREAM_DESTROY, w -> w.u64(stream)).status());
        assertEquals(CuResult.INVALID_HANDLE, client.call(Op.STREAM_DESTROY, w -> w.u64(stream)).status());
    }

    @Test
    void aCopyOutsideAnAllocationSurfacesAtTheNextSynchronizingCall() throws Exception {
        long dptr = client.memAlloc(256);
        client.copyHtoD(dptr + 200, new byte[100]);
        assertEquals(CuResult.SUCCESS, client.call(Op.MEM_GET_INFO, w -> { }).status(),
                "a CALL reply carries its own result, not the deferred error");
        WireTestClient.Reply sync = client.synchronize();
        assertEquals(CuResult.INVALID_VALUE, sync.status());
        assertTrue(sync.message().contains("0x" + Long.toHexString(dptr + 200)), sync.message());
        assertEquals(CuResult.SUCCESS, client.synchronize().status(), "the deferred error was cleared");
        assertEquals(256, client.copyDtoH(dptr, 256).length, "the session carries on");
    }

    @Test
    void onlyTheFirstDeferredErrorIsKept() throws Exception {
        long dptr = client.memAlloc(256);
        client.copyHtoD(dptr + 255, new byte[2]);
        client.async(Op.MEMSET, w -> w.u64(dptr).u32(0).u32(3).u64(1).u64(0));
        WireTestClient.Reply sync = client.synchronize();
        assertEquals(CuResult.INVALID_VALUE, sync.status());
        assertTrue(sync.message().contains("MEMCPY") || sync.message().contains("0x"), sync.message());
        assertTrue(!sync.message().contains("element size"), "the memset's error came second: " + sync.message());
    }

    @Test
    void repliesOnlyWhenWanted() throws Exception {
        client.send(Op.MEM_ALLOC, false, w -> w.u64(1024));
        client.send(Op.MEM_GET_INFO, false, w -> { });
        WireTestClient.Reply info = client.call(Op.MEM_GET_INFO, w -> { });
        assertEquals(client.lastSeq(), info.seq(), "the first reply is for the first call that wanted one");
        assertEquals(1024, worker.session.stats().deviceMemoryInUse(), "the unanswered alloc was applied");
        assertEquals(3, worker.session.stats().callsExecuted());
    }

    @Test
    void aCallIsNeverAppliedTwiceNorAnsweredTwice() throws Exception {
        long dptr = client.memAlloc(16);
        client.setNextSeq(client.lastSeq());
        // a resent frame the worker already applied is ignored (docs/migration-protocol.md): no reply,
        // so the next reply the client reads is the one for the call after it
        client.send(Op.MEM_ALLOC, true, w -> w.u64(16));
        WireTestClient.Reply info = client.call(Op.MEM_GET_INFO, w -> { });
        assertEquals(client.lastSeq(), info.seq(), "no reply for the repeated seq");
        assertEquals(16, worker.session.stats().deviceMemoryInUse());
        assertEquals(2, worker.session.stats().callsExecuted());
        assertArrayEquals(new byte[16], client.copyDtoH(dptr, 16));
    }

    @Test
    void aShortBodyOrUnknownOpIsAnErrorReplyNotADisconnect() throws Exception {
        WireTestClient.Reply shortBody = client.call(Op.MEMCPY_DTOH, w -> w.u32(7));
        assertEquals(CuResult.INVALID_VALUE, shortBody.status());
        assertTrue(shortBody.message().contains("MEMCPY_DTOH"), shortBody.message());
        long seq = client.lastSeq() + 1;
        client.sendFrame(new io.gpumigrate.protocol.Frame(0x7abc, 1, seq, io.netty.buffer.Unpooled.buffer()));
        client.setNextSeq(seq + 1);
        WireTestClient.Reply unknown = client.receive();
        assertEquals(CuResult.NOT_SUPPORTED, unknown.status());
        assertTrue(unknown.message().contains("0x7abc"), unknown.message());
        assertEquals(8, client.copyDtoH(client.memAlloc(8), 8).length);
    }

    @Test
    void deviceToHostLargerThanOneChunkIsRefused() throws Exception {
        long dptr = client.memAlloc(32 << 20);
        WireTestClient.Reply reply = client.call(Op.MEMCPY_DTOH, w -> w.u64(dptr).u64((16 << 20) + 1).u64(0));
        assertEquals(CuResult.INVALID_VALUE, reply.status());
        assertTrue(reply.message().contains(Integer.toString((16 << 20) + 1)), reply.message());
    }

    @Test
    void goodbyeReleasesEverythingAndEndsTheSession() throws Exception {
        client.memAlloc(1 << 20);
        client.memAlloc(1 << 20);
        EmulatorBackend emulator = (EmulatorBackend) worker.backend;
        assertEquals(2 << 20, worker.session.stats().deviceMemoryInUse());
        assertEquals(CuResult.SUCCESS, client.goodbye().status());
        assertThrows(EOFException.class, client::receive, "the worker closes the connection after GOODBYE");
        assertEquals("the client said GOODBYE", worker.session.ended().get(5, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(0, worker.session.stats().deviceMemoryInUse(), "released once the session has ended");
        assertEquals(0, emulator.addressSpace().allocations().size());
        // an operation that comes too late (a dump, a migration) is told why, with a status of its own
        var late = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> worker.session.onExecutor(() -> 1).get(5, java.util.concurrent.TimeUnit.SECONDS));
        CudaException ended = assertInstanceOf(CudaException.class, late.getCause());
        assertEquals(CuResult.DEINITIALIZED, ended.result());
        assertTrue(ended.getMessage().endsWith("has ended"), ended.getMessage());
    }

    @Test
    void closingTheConnectionReleasesEverything() throws Exception {
        client.memAlloc(1 << 20);
        client.close();
        worker.session.ended().get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(0, worker.session.stats().deviceMemoryInUse());
        assertEquals(0, ((EmulatorBackend) worker.backend).addressSpace().allocations().size());
    }

    @Test
    void pipelinedCopiesBeyondTheQueueLimitAllArriveInOrder() throws Exception {
        int chunk = 8 << 20;
        int chunks = (int) (3 * ForwardedCallHandler.HIGH_WATER / chunk);
        long dptr = client.memAlloc((long) chunk * chunks);
        for (int i = 0; i < chunks; i++) {
            byte[] data = new byte[chunk];
            java.util.Arrays.fill(data, (byte) i);
            client.copyHtoD(dptr + (long) i * chunk, data);
        }
        byte[] last = pattern(chunk, 9);
        client.copyHtoD(dptr, last);
        assertArrayEquals(last, client.copyDtoH(dptr, chunk), "the later copy to the same place won");
        for (int i = 1; i < chunks; i++) {
            byte[] got = client.copyDtoH(dptr + (long) i * chunk + chunk - 16, 16);
            byte[] want = new byte[16];
            java.util.Arrays.fill(want, (byte) i);
            assertArrayEquals(want, got, "chunk " + i);
        }
    }

    @Test
    void copiesOfTheLargestChunkFillTheLargestFrames() throws Exception {
        int size = io.gpumigrate.protocol.WireFormat.MAX_COPY_CHUNK;
        long dptr = client.memAlloc(size);
        byte[] data = pattern(size, 11);
        client.copyHtoD(dptr, data);
        assertArrayEquals(data, client.copyDtoH(dptr, size));
    }
}
