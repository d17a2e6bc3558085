package io.gpumigrate.worker;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkerReportTest {

    @Test
    void linesTheWorkerPrintsParseBack() {
        WorkerReport listening = WorkerReport.parse(WorkerReport.listening(40123, "emulator")).orElseThrow();
        assertEquals(WorkerReport.Type.LISTENING, listening.type());
        assertArrayEquals(new long[] {40123}, listening.values());
        assertEquals("emulator", listening.text());

        SessionStats stats = new SessionStats();
        stats.applied(7);
        stats.memory(4096);
        WorkerReport parsed = WorkerReport.parse(WorkerReport.stats(stats)).orElseThrow();
        assertArrayEquals(new long[] {7, 1, 4096}, parsed.values());

        WorkerReport device = WorkerReport.parse(WorkerReport.device(140L << 30, 141L << 30)).orElseThrow();
        assertEquals(WorkerReport.Type.DEVICE, device.type());
        assertArrayEquals(new long[] {140L << 30, 141L << 30}, device.values());

        WorkerReport ended = WorkerReport.parse(WorkerReport.ended("the client said\nGOODBYE")).orElseThrow();
        assertEquals("the client said GOODBYE", ended.text());
    }

    @Test
    void otherOrMalformedLinesAreNotReports() {
        assertTrue(WorkerReport.parse("hello").isEmpty());
        assertTrue(WorkerReport.parse("gpumigrate-worker stats 1 two 3").isEmpty());
        assertTrue(WorkerReport.parse("gpumigrate-worker listening").isEmpty());
        assertTrue(WorkerReport.parse("gpumigrate-worker reboot").isEmpty());
        assertTrue(WorkerReport.parse("gpumigrate-worker device 1024").isEmpty());
    }
}
