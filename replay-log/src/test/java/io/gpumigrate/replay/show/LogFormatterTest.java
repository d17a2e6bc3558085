package io.gpumigrate.replay.show;

import io.gpumigrate.protocol.Op;
import io.gpumigrate.replay.Calls;
import io.gpumigrate.replay.LogGap;
import io.gpumigrate.replay.LoggedCall;
import io.gpumigrate.replay.read.LogReader;
import io.gpumigrate.replay.read.SessionLog;
import io.gpumigrate.replay.write.LogWriter;
import io.gpumigrate.replay.write.LogWriterConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LogFormatterTest {

    final LogFormatter formatter = new LogFormatter();

    @Test
    void launchShowsHandlesInHexAndDimensions() {
        LoggedCall c = LoggedCall.of(14, Op.LAUNCH_KERNEL, 0, Calls.launch(0x7f2a, 128, 256, 0x3, new byte[24]));
        assertEquals("      14 LAUNCH_KERNEL(function=0x7f2a, grid=(128,1,1), block=(256,1,1), shared=0 B, stream=0x3, "
                + "params=24 B) = ?", formatter.format(c));
    }

    @Test
    void stringsAreQuotedAndStatusesNamed() {
        LoggedCall ok = LoggedCall.of(12, Op.MODULE_GET_FUNCTION, 1, Calls.moduleGetFunction(1, "vec\"Add\n"))
                .withStatus(0);
        assertEquals("      12 MODULE_GET_FUNCTION(module=0x1, name=\"vec\\\"Add\\n\") = 0", formatter.format(ok));
        LoggedCall failed = LoggedCall.of(15, Op.STREAM_SYNCHRONIZE, 1, new byte[8]).withStatus(700);
        assertEquals("      15 STREAM_SYNCHRONIZE(stream=0x0) = 700 CUDA_ERROR_ILLEGAL_ADDRESS", formatter.format(failed));
    }

    @Test
    void allocationsAndGlobalsShowTheAddressTheClientWasGiven() {
        byte[] placed = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(0x7ff4_1480_0200L).putLong(256)
                .array();
        LoggedCall global = LoggedCall.of(7, Op.MODULE_GET_GLOBAL, 1, Calls.moduleGetFunction(1, "table"))
                .withStatus(0).withResults(placed);
        assertEquals("       7 MODULE_GET_GLOBAL(module=0x1, name=\"table\") = 0 -> 0x7ff414800200", formatter.format(global));
        LoggedCall alloc = LoggedCall.of(8, Op.MEM_ALLOC, 1, Calls.memAlloc(512)).withStatus(0)
                .withResults(Arrays.copyOf(placed, 8));
        assertEquals("       8 MEM_ALLOC(bytes=512 B) = 0 -> 0x7ff414800200", formatter.format(alloc));
    }

    @Test
    void sizesAreForPeople() {
        assertEquals("       5 MEM_ALLOC(bytes=256 MiB) = ?",
                formatter.format(LoggedCall.of(5, Op.MEM_ALLOC, 1, Calls.memAlloc(256L << 20))));
        assertEquals("       6 MEMCPY_DTOH(src=0x200000001000, size=1.5 KiB (1537), stream=0x0) = ?",
                formatter.format(LoggedCall.of(6, Op.MEMCPY_DTOH, 1, Calls.memcpyDtoH(0x2000_0000_1000L, 1537, 0))));
        assertEquals("512 B", Sizes.human(512));
        assertEquals("2.0 GiB (2147483649)", Sizes.human((2L << 30) + 1));
    }

    @Test
    void uploadsShowTheirPayloadSizeAndBlobHash(@TempDir Path dir) throws Exception {
        byte[] payload = Calls.random(new Random(1), 1 << 20);
        try (LogWriter w = LogWriter.open(dir, 1, LogWriterConfig.defaults())) {
            Calls.append(w, LoggedCall.of(13, Op.MEMCPY_HTOD, 0, Calls.htod(0x2000_0000_0000L, 0, payload)));
            Calls.append(w, LoggedCall.of(14, Op.MEMCPY_HTOD, 0, Calls.htod(0x2000_0000_0000L, 0, new byte[100])));
        }
        String hash = String.format("%016x", io.gpumigrate.replay.blob.BlobStore.hash(ByteBuffer.wrap(payload)));
        StringBuilder out = new StringBuilder();
        try (LogReader r = SessionLog.open(dir).reader(0, 10, false)) {
            assertEquals(2, formatter.print(r, out));
        }
        assertEquals("      13 MEMCPY_HTOD(dst=0x200000000000, stream=0x0, data=1 MiB blob:" + hash + ") = ?\n"
                + "      14 MEMCPY_HTOD(dst=0x200000000000, stream=0x0, data=100 B) = ?\n", out.toString());
    }

    @Test
    void secretsAreNeverPrinted() {
        byte[] token = "hunter2".getBytes(StandardCharsets.UTF_8);
        byte[] program = "./vecadd".getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(4 + 4 + 4 + token.length + 4 + program.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x47494D47).putShort((short) 1).putShort((short) 0).putInt(token.length).put(token)
                .putInt(program.length).put(program).putInt(4242);
        assertEquals("       0 HELLO(magic=0x47494d47, version=1.0, token=<7 bytes hidden>, program=\"./vecadd\", pid=4242) = ?",
                formatter.format(LoggedCall.of(0, Op.HELLO, 1, b.array())));
    }

    @Test
    void gapsShortBodiesAndUnknownOpsAreShownNotThrown() {
        assertEquals(" 16..214 --- 199 calls not in this log (the writer fell behind, or a moved session's log did not come along) ---",
                formatter.format(new LogGap(16, 214, 199)));
        assertEquals("       7 MEMSET(dst=0x10, value=0x1, <body too short=12 bytes>) = ?",
                formatter.format(LoggedCall.of(7, Op.MEMSET, 0, new byte[]{0x10, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0})));
        assertEquals("       8 OP_0x0999(body=3 B) [flags=0x2] = ?", formatter.format(
                new LoggedCall(8, 0x999, 2, new byte[3], java.util.OptionalInt.empty(), null, true)));
        assertEquals("       9 CTX_SYNCHRONIZE(<trailing=4 bytes>) = ?",
                formatter.format(LoggedCall.of(9, Op.CTX_SYNCHRONIZE, 1, new byte[4])));
    }
}
