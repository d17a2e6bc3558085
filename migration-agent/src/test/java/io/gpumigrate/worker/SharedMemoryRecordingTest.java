package io.gpumigrate.worker;

import io.gpumigrate.protocol.Op;
import io.gpumigrate.replay.LogEntry;
import io.gpumigrate.replay.LoggedCall;
import io.gpumigrate.replay.read.SessionLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Uploads through a shared window, recorded: the log holds the bytes each call read (emulator backend). */
class SharedMemoryRecordingTest {

    private static final int SLOT = 3 << 20;

    @TempDir
    Path log;

    private Path file;
    private Arena arena;
    private MemorySegment window;

    @BeforeEach
    void mapWindow() throws IOException {
        assumeTrue(Files.isDirectory(Path.of("/dev/shm")), "no /dev/shm on this machine");
        file = Path.of("/dev/shm", "gpumigrate-rec-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ch.truncate(2L * SLOT);
            window = ch.map(FileChannel.MapMode.READ_WRITE, 0, 2L * SLOT, arena);
        }
    }

    @AfterEach
    void unmapWindow() throws IOException {
        if (arena != null) {
            arena.close();
            Files.deleteIfExists(file);
        }
    }

    @Test
    void eachUploadIsLoggedWithTheBytesItReadThoughTheClientRewritesItsSlotAtOnce() throws Exception {
        int uploads = 12;
        List<byte[]> sent = new ArrayList<>();
        Random random = new Random(11);
        try (RecordedSession s = new RecordedSession(81, log)) {
            s.client.call(Op.SHM_ATTACH, w -> w.u64(2L * SLOT).str(file.toString())).expectSuccess();
            long dptr = s.client.memAlloc(SLOT);
            for (int i = 0; i < uploads; i++) {
                long offset = (i % 2) * (long) SLOT;
                int size = SLOT - i * 4096; // sizes differ, so buffers are reused for smaller copies too
                byte[] data = new byte[size];
                random.nextBytes(data);
                MemorySegment.copy(data, 0, window, ValueLayout.JAVA_BYTE, offset, size);
                s.client.call(Op.MEMCPY_HTOD_SHM, w -> w.u64(dptr).u64(0).u64(offset).u64(size)).expectSuccess();
                window.asSlice(offset, size).fill((byte) i); // the slot is the client's again: it reuses it
                sent.add(data);
            }
            byte[] last = sent.getLast();
            assertArrayEquals(last, s.client.copyDtoH(dptr, last.length), "the device holds the last upload");
        }

        List<LoggedCall> copies = new ArrayList<>();
        try (var reader = SessionLog.open(log).reader()) {
            for (LogEntry e = reader.next(); e != null; e = reader.next()) {
                LoggedCall call = (LoggedCall) e;
                assertEquals(false, call.op() == Op.MEMCPY_HTOD_SHM || call.op() == Op.SHM_ATTACH,
                        "shared-memory calls are logged as the plain calls they stand for: " + call);
                if (call.op() == Op.MEMCPY_HTOD) {
                    copies.add(call);
                }
            }
        }
        assertEquals(uploads, copies.size(), "one MEMCPY_HTOD per upload");
        for (int i = 0; i < uploads; i++) {
            LoggedCall c = copies.get(i);
            assertEquals(0, c.status().orElseThrow(), "the upload's status is logged after it");
            ByteBuffer body = ByteBuffer.wrap(c.body()).order(ByteOrder.LITTLE_ENDIAN);
            body.getLong();
            assertEquals(0, body.getLong(), "stream");
            byte[] payload = Arrays.copyOfRange(c.body(), 16, c.body().length);
            assertArrayEquals(sent.get(i), payload, "upload " + i + " is logged with the bytes it read");
        }
    }
}
