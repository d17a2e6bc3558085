package io.gpumigrate.worker;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.protocol.Op;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Copies through a shared mapping, as a client on the worker's host makes them (emulator backend). */
class SharedMemoryCallsTest {

    private static final int WINDOW = 4 << 20;

    private WorkerFixture worker;
    private WireTestClient client;
    private Path file;
    private Arena arena;
    private MemorySegment window;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/dev/shm")), "no /dev/shm on this machine");
        worker = new WorkerFixture(43);
        client = worker.attach();
        file = Path.of("/dev/shm", "gpumigrate-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ch.truncate(WINDOW);
            ch.write(java.nio.ByteBuffer.wrap(new byte[1]), WINDOW - 1);
            window = ch.map(FileChannel.MapMode.READ_WRITE, 0, WINDOW, arena);
        }
    }

    @AfterEach
    void stop() throws IOException {
        if (client != null) {
            client.close();
            worker.close();
        }
        if (arena != null) {
            arena.close();
            Files.deleteIfExists(file);
        }
    }

    private WireTestClient.Reply attach(String path, long bytes) throws IOException {
        return client.call(Op.SHM_ATTACH, w -> w.u64(bytes).str(path));
    }

    @Test
    void copiesGoThroughTheMappingBothWays() throws Exception {
        attach(file.toString(), WINDOW).expectSuccess();
        int size = 3 << 20;
        byte[] data = new byte[size];
        new Random(5).nextBytes(data);
        MemorySegment.copy(data, 0, window, ValueLayout.JAVA_BYTE, 4096, size);
        long dptr = client.memAlloc(size);

        client.call(Op.MEMCPY_HTOD_SHM, w -> w.u64(dptr).u64(0).u64(4096).u64(size)).expectSuccess();
        assertArrayEquals(data, client.copyDtoH(dptr, size), "the device holds what the window held");

        window.fill((byte) 0);
        client.call(Op.MEMCPY_DTOH_SHM, w -> w.u64(dptr + 100).u64(0).u64(8).u64(1000)).expectSuccess();
        byte[] back = window.asSlice(8, 1000).toArray(ValueLayout.JAVA_BYTE);
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 100, 1100), back, "the window holds what the device held");
        assertEquals(0, window.get(ValueLayout.JAVA_BYTE, 1008), "nothing written past the range");
    }

    @Test
    void aRangeOutsideTheWindowIsRefusedAndTheSessionGoesOn() throws Exception {
        attach(file.toString(), WINDOW).expectSuccess();
        long dptr = client.memAlloc(1 << 20);
        var reply = client.call(Op.MEMCPY_DTOH_SHM, w -> w.u64(dptr).u64(0).u64(WINDOW - 10).u64(11));
        assertEquals(CuResult.INVALID_VALUE, reply.status());
        assertTrue(reply.message().contains("outside the shared-memory window [0, 4194304)"), reply.message());
        assertEquals(CuResult.INVALID_VALUE, client.call(Op.MEMCPY_HTOD_SHM,
                w -> w.u64(dptr).u64(0).u64(-1L).u64(16)).status());
        client.synchronize();
        assertEquals(1 << 20, client.copyDtoH(dptr, 1 << 20).length, "the session still serves calls");
    }

    @Test
    void onlyGpumigrateFilesUnderDevShmOfTheAnnouncedSizeAreMapped() throws Exception {
        var other = client.call(Op.SHM_ATTACH, w -> w.u64(WINDOW).str("/etc/passwd"));
        assertEquals(CuResult.INVALID_VALUE, other.status());
        assertTrue(other.message().contains("is not /dev/shm/gpumigrate-NAME"), other.message());
        assertEquals(CuResult.INVALID_VALUE, client.call(Op.SHM_ATTACH,
                w -> w.u64(WINDOW).str("/dev/shm/gpumigrate-../etc")).status());
        var size = attach(file.toString(), WINDOW * 2L);
        assertTrue(size.message().contains("not the announced"), size.message());
        assertEquals(CuResult.ILLEGAL_STATE, client.call(Op.MEMCPY_HTOD_SHM,
                w -> w.u64(0).u64(0).u64(0).u64(16)).status(), "no copy before a window is attached");
    }
}
