package io.gpumigrate.cli;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.protocol.Op;
import io.gpumigrate.protocol.WireFormat;
import io.gpumigrate.replay.write.LogWriter;
import io.gpumigrate.replay.write.LogWriterConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code replay} and {@code log show} on logs written here: damaged ones, and one with a planted bad access. */
class ReplayCommandTest {

    private static final int REPLY = WireFormat.FLAG_REPLY_WANTED;

    @TempDir
    Path dir;

    private static ByteBuf le(long... values) {
        ByteBuf b = Unpooled.buffer();
        for (long v : values) {
            b.writeLongLE(v);
        }
        return b;
    }

    /** {@code calls} MEM_ALLOCs of 4 KiB each, every one with status 0; flushed after the first {@code flushAfter}. */
    private Path allocations(int calls, int flushAfter) throws Exception {
        Path log = dir.resolve("allocs");
        try (LogWriter w = LogWriter.open(log, 5, LogWriterConfig.defaults())) {
            for (int seq = 1; seq <= calls; seq++) {
                w.append(seq, Op.MEM_ALLOC.code(), REPLY, le(4096), true, CuResult.SUCCESS);
                if (seq == flushAfter) {
                    w.flush();
                }
            }
        }
        return log;
    }

    private static Path segment(Path log) throws Exception {
        try (var files = Files.list(log)) {
            return files.filter(f -> f.toString().endsWith(".seg")).findFirst().orElseThrow();
        }
    }

    @Test
    void aTornTailIsTruncatedAndReportedAndTheRestReplays() throws Exception {
        Path log = allocations(40, 40);
        Files.write(segment(log), new byte[] {0x42, 0, 0, 0, 7, 7, 7}, StandardOpenOption.APPEND);

        CliRun show = CliRun.of("log", "show", log.toString(), "--from", "39");
        assertEquals(0, show.status(), show.err());
        assertTrue(show.err().contains("recovered") && show.err().contains("torn tail") && show.err().contains("7 bytes"),
                show.err());
        assertEquals(2, show.out().lines().count(), show.out());
        assertTrue(show.out().lines().toList().get(1).contains("40 MEM_ALLOC(bytes=4 KiB) = 0"), show.out());

        CliRun replay = CliRun.of("replay", log.toString());
        assertEquals(0, replay.status(), replay.out() + replay.err());
        assertTrue(replay.out().contains("replayed 40 calls up to seq 40 on emulator: every recorded status reproduced"),
                replay.out());
    }

    @Test
    void aDamagedBlockBeforeTheTailIsRefusedNamingTheFile() throws Exception {
        Path log = dir.resolve("allocs");
        Path seg;
        long firstBlockEnd;
        try (LogWriter w = LogWriter.open(log, 5, LogWriterConfig.defaults())) {
            for (int seq = 1; seq <= 20; seq++) {
                w.append(seq, Op.MEM_ALLOC.code(), REPLY, le(4096), true, CuResult.SUCCESS);
            }
            w.flush();
            seg = segment(log);
            firstBlockEnd = Files.size(seg);
            for (int seq = 21; seq <= 40; seq++) {
                w.append(seq, Op.MEM_ALLOC.code(), REPLY, le(4096), true, CuResult.SUCCESS);
            }
        }
        byte[] bytes = Files.readAllBytes(seg);
        bytes[(int) firstBlockEnd - 4] ^= 0x5A;
        Files.write(seg, bytes);

        for (List<String> args : List.of(List.of("log", "show", log.toString()), List.of("replay", log.toString()))) {
            CliRun run = CliRun.of(args.toArray(String[]::new));
            assertEquals(1, run.status(), run.out());
            assertTrue(run.err().contains("is damaged") && run.err().contains(seg.getFileName().toString()), run.err());
        }
    }

    @Test
    void aMissingLogAndAnUnreachedSequenceNumberAreClearErrors() throws Exception {
        CliRun missing = CliRun.of("replay", dir.resolve("nothing").toString());
        assertEquals(1, missing.status());
        assertTrue(missing.err().contains("no replay log at " + dir.resolve("nothing")), missing.err());

        Files.createDirectories(dir.resolve("empty"));
        CliRun empty = CliRun.of("log", "show", dir.resolve("empty").toString());
        assertEquals(1, empty.status());
        assertTrue(empty.err().contains("holds no segment files"), empty.err());

        Path log = allocations(3, 3);
        CliRun far = CliRun.of("replay", log.toString(), "--until", "10");
        assertEquals(1, far.status());
        assertTrue(far.err().contains("the log ends at seq 3, before --until 10"), far.err());

        CliRun usage = CliRun.of("replay", log.toString(), "--dump", "#1");
        assertEquals(2, usage.status());
        assertTrue(usage.err().contains("--dump and --out go together"), usage.err());
    }

    @Test
    void dumpWritesAnAllocationAsItWasAfterTheGivenCall() throws Exception {
        Path log = dir.resolve("memset");
        try (LogWriter w = LogWriter.open(log, 6, LogWriterConfig.defaults())) {
            w.append(1, Op.MEM_ALLOC.code(), REPLY, le(64), true, CuResult.SUCCESS);
            w.append(2, Op.MEM_ALLOC.code(), REPLY, le(32), true, CuResult.SUCCESS);
            ByteBuf memset = Unpooled.buffer().writeLongLE(0x2000_0000_0400L).writeIntLE(0xAB).writeIntLE(1)
                    .writeLongLE(32).writeLongLE(0);
            w.append(3, Op.MEMSET.code(), 0, memset, false, 0);
        }
        Path before = dir.resolve("before.bin");
        Path after = dir.resolve("after.bin");
        CliRun r2 = CliRun.of("replay", log.toString(), "--until", "2", "--dump", "#2", "--out", before.toString());
        CliRun r3 = CliRun.of("replay", log.toString(), "--dump", "0x200000000410", "--out", after.toString());
        assertEquals(0, r2.status(), r2.err());
        assertEquals(0, r3.status(), r3.err());
        assertTrue(r3.out().contains("allocation #2 at 0x200000000400 (32 bytes"), r3.out());
        byte[] ab = new byte[32];
        java.util.Arrays.fill(ab, (byte) 0xAB);
        assertEquals(32, Files.size(before));
        assertTrue(java.util.Arrays.equals(ab, Files.readAllBytes(after)));
        assertTrue(!java.util.Arrays.equals(ab, Files.readAllBytes(before)), "the memset came after seq 2");
    }

    @Test
    void checkReportsAPlantedOutOfBoundsWriteWithKernelThreadLineAddressAndSeq() throws Exception {
        byte[] ptx;
        try (InputStream in = getClass().getResourceAsStream("replay_kernels.ptx")) {
            ptx = in.readAllBytes();
        }
        long module = 0x2200000000000001L;
        long function = 0x3300000000000002L;
        Path log = dir.resolve("oob");
        try (LogWriter w = LogWriter.open(log, 7, LogWriterConfig.defaults())) {
            w.append(1, Op.MODULE_LOAD.code(), REPLY, Unpooled.wrappedBuffer(ptx), true, CuResult.SUCCESS);
            ByteBuf name = Unpooled.buffer().writeLongLE(module);
            byte[] kernel = "write_at".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            name.writeIntLE(kernel.length).writeBytes(kernel);
            w.append(2, Op.MODULE_GET_FUNCTION.code(), REPLY, name, true, CuResult.SUCCESS);
            w.append(3, Op.MEM_ALLOC.code(), REPLY, le(128), true, CuResult.SUCCESS);
            ByteBuffer params = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(0x2000_0000_0000L).putLong(32);
            ByteBuf launch = Unpooled.buffer().writeLongLE(function);
            for (int d : new int[] {1, 1, 1, 1, 1, 1, 0}) {
                launch.writeIntLE(d);
            }
            launch.writeLongLE(0).writeIntLE(16).writeBytes(params.array());
            w.append(4, Op.LAUNCH_KERNEL.code(), 0, launch, false, 0);
            w.append(5, Op.CTX_SYNCHRONIZE.code(), REPLY, Unpooled.buffer(), true, CuResult.ILLEGAL_ADDRESS);
        }
        CliRun check = CliRun.of("replay", log.toString(), "--check");
        assertEquals(1, check.status(), check.out() + check.err());
        assertTrue(check.out().contains("out-of-bounds access at seq 4: "), check.out());
        for (String part : List.of("LAUNCH_KERNEL", "kernel write_at", "thread (0,0,0)", "PTX line",
                "at 0x200000000080", "CUDA_ERROR_ILLEGAL_ADDRESS")) {
            assertTrue(check.out().contains(part), part + " missing in:\n" + check.out());
        }
        CliRun plain = CliRun.of("replay", log.toString());
        assertEquals(0, plain.status(), "the replay fails the way the original did: " + plain.out());
    }

    @Test
    void compareReportsTheFirstCallAfterWhichTwoRunsDiffer() throws Exception {
        byte[] ptx;
        try (InputStream in = getClass().getResourceAsStream("replay_kernels.ptx")) {
            ptx = in.readAllBytes();
        }
        Path log = dir.resolve("clock");
        try (LogWriter w = LogWriter.open(log, 8, LogWriterConfig.defaults())) {
            w.append(1, Op.MODULE_LOAD.code(), REPLY, Unpooled.wrappedBuffer(ptx), true, CuResult.SUCCESS);
            byte[] kernel = "stamp".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            w.append(2, Op.MODULE_GET_FUNCTION.code(), REPLY, Unpooled.buffer().writeLongLE(0x2200000000000001L)
                    .writeIntLE(kernel.length).writeBytes(kernel), true, CuResult.SUCCESS);
            w.append(3, Op.MEM_ALLOC.code(), REPLY, le(8 * 32), true, CuResult.SUCCESS);
            w.append(4, Op.MEMSET.code(), 0, Unpooled.buffer().writeLongLE(0x2000_0000_0000L).writeIntLE(0)
                    .writeIntLE(4).writeLongLE(64).writeLongLE(0), false, 0);
            ByteBuf launch = Unpooled.buffer().writeLongLE(0x3300000000000002L);
            for (int d : new int[] {1, 1, 1, 32, 1, 1, 0}) {
                launch.writeIntLE(d);
            }
            launch.writeLongLE(0).writeIntLE(12).writeLongLE(0x2000_0000_0000L).writeIntLE(32);
            w.append(5, Op.LAUNCH_KERNEL.code(), 0, launch, false, 0);
            w.append(6, Op.CTX_SYNCHRONIZE.code(), REPLY, Unpooled.buffer(), true, CuResult.SUCCESS);
        }
        CliRun compare = CliRun.of("replay", "--compare", log.toString(), "--backend", "emulator", "--backend", "emulator");
        assertEquals(1, compare.status(), compare.out() + compare.err());
        assertTrue(compare.out().contains("emulator (A) and emulator (B) differ first after seq 5: 5 LAUNCH_KERNEL("),
                compare.out());
        assertTrue(compare.out().contains("device memory differs in 1 range(s): #1 at 0x200000000000"), compare.out());

        CliRun before = CliRun.of("replay", "--compare", log.toString(), "--backend", "emulator", "--backend", "emulator",
                "--until", "4");
        assertEquals(0, before.status(), before.out());
        assertTrue(before.out().contains("agree: 4 calls, device memory compared after 1 of them"), before.out());

        CliRun one = CliRun.of("replay", "--compare", log.toString(), "--backend", "emulator");
        assertEquals(2, one.status());
        assertTrue(one.err().contains("--compare needs two --backend options, got 1"), one.err());
    }

    @Test
    void allocationsArePlacedWhereTheRecordingHadThemAsOnAGpu() throws Exception {
        long first = 0x2000_0020_0000L;
        long second = 0x2000_0040_0000L;
        byte[] data = new byte[4096];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7 + 1);
        }
        Path log = dir.resolve("gpu");
        try (LogWriter w = LogWriter.open(log, 9, LogWriterConfig.defaults())) {
            w.append(1, Op.MEM_ALLOC.code(), REPLY, le(1000), true, CuResult.SUCCESS);
            w.appendResult(1, le(first));
            w.append(2, Op.MEM_ALLOC.code(), REPLY, le(data.length), true, CuResult.SUCCESS);
            w.appendResult(2, le(second));
            w.append(3, Op.MEMCPY_HTOD.code(), 0, le(second, 0).writeBytes(data), false, 0);
            w.append(4, Op.CTX_SYNCHRONIZE.code(), REPLY, Unpooled.buffer(), true, CuResult.SUCCESS);
        }
        CliRun show = CliRun.of("log", "show", log.toString(), "--limit", "2");
        assertTrue(show.out().contains("MEM_ALLOC(bytes=1000 B) = 0 -> 0x200000200000"), show.out());
        Path out = dir.resolve("second.bin");
        CliRun replay = CliRun.of("replay", log.toString(), "--dump", "0x200000400000", "--out", out.toString());
        assertEquals(0, replay.status(), replay.out() + replay.err());
        assertTrue(replay.out().contains("every recorded status reproduced"), replay.out());
        assertTrue(replay.out().contains("allocation #2 at 0x200000400000"), replay.out());
        assertTrue(java.util.Arrays.equals(data, Files.readAllBytes(out)));
    }
}
