package io.gpumigrate.replay.read;

import io.gpumigrate.protocol.Op;
import io.gpumigrate.replay.LogEntry;
import io.gpumigrate.replay.LoggedCall;
import io.gpumigrate.replay.write.LogWriter;
import io.gpumigrate.replay.write.LogWriterConfig;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** RESULT entries (format 1.1): what an allocation's reply returned, read back with its call. */
class ResultEntryTest {

    @TempDir
    Path dir;

    @Test
    void aCallsResultsAreReadBackWithItAcrossBlocks() throws Exception {
        byte[] address = {0, 0, 0x40, 0, 0, 0x20, 0, 0};
        try (LogWriter w = LogWriter.open(dir, 3, LogWriterConfig.defaults())) {
            w.append(1, Op.MEM_ALLOC, 1, Unpooled.buffer().writeLongLE(4096), 0);
            w.appendResult(1, Unpooled.wrappedBuffer(address));
            w.append(2, Op.MEM_ALLOC, 1, Unpooled.buffer().writeLongLE(64));
            w.flush();
            w.appendStatus(2, 0);
            w.appendResult(2, Unpooled.wrappedBuffer(new byte[16]));
            w.append(3, Op.LAUNCH_KERNEL, 0, Unpooled.buffer().writeZero(8));
        }
        SessionLog log = SessionLog.open(dir);
        assertEquals(1, log.segments().getFirst().header().minor());
        List<LogEntry> all;
        try (LogReader r = log.reader()) {
            all = r.readAll();
        }
        assertEquals(3, all.size());
        assertArrayEquals(address, ((LoggedCall) all.get(0)).results());
        assertArrayEquals(new byte[16], ((LoggedCall) all.get(1)).results(), "a result in the block after its call");
        assertEquals(0, ((LoggedCall) all.get(1)).status().getAsInt());
        assertEquals(0, ((LoggedCall) all.get(2)).results().length);
    }

    @Test
    void oversizedOrFutureResultsAreRefused() throws Exception {
        try (LogWriter w = LogWriter.open(dir, 3, LogWriterConfig.defaults())) {
            w.append(1, Op.MEM_ALLOC, 1, Unpooled.buffer().writeLongLE(4096), 0);
            assertThrows(IllegalArgumentException.class, () -> w.appendResult(2, Unpooled.buffer().writeLongLE(1)));
            assertThrows(IllegalArgumentException.class,
                    () -> w.appendResult(1, Unpooled.wrappedBuffer(new byte[LogWriter.MAX_RESULT_BYTES + 1])));
        }
    }
}
