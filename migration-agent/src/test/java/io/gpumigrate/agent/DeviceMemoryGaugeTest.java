package io.gpumigrate.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DeviceMemoryGaugeTest {

    private static final long GIB = 1L << 30;

    private final AtomicLong held = new AtomicLong();

    @Test
    void withoutAReportTheCapacityIsCounted() {
        DeviceMemoryGauge gauge = new DeviceMemoryGauge(16 * GIB, false, held::get);
        held.set(5 * GIB);
        assertFalse(gauge.reported());
        assertEquals(16 * GIB, gauge.capacity());
        assertEquals(11 * GIB, gauge.free());
        held.set(20 * GIB);
        assertEquals(0, gauge.free(), "never negative");
    }

    @Test
    void aGpusTotalReplacesTheDefaultCapacity() {
        DeviceMemoryGauge gauge = new DeviceMemoryGauge(16 * GIB, false, held::get);
        gauge.reported(139 * GIB, 140 * GIB);
        assertTrue(gauge.reported());
        assertEquals(140 * GIB, gauge.capacity());
        assertEquals(139 * GIB, gauge.free(), "what the driver said, not 16 GiB counted");
    }

    @Test
    void anExplicitCapacityCapsTheDevice() {
        DeviceMemoryGauge gauge = new DeviceMemoryGauge(32 * GIB, true, held::get);
        gauge.reported(139 * GIB, 140 * GIB);
        assertEquals(32 * GIB, gauge.capacity());
        held.set(12 * GIB);
        assertEquals(20 * GIB, gauge.free());
    }

    @Test
    void memoryOthersTookOnTheDeviceIsNotOffered() {
        DeviceMemoryGauge gauge = new DeviceMemoryGauge(16 * GIB, false, held::get);
        held.set(2 * GIB);
        gauge.reported(30 * GIB, 140 * GIB); // another process holds about 108 GiB
        assertEquals(30 * GIB, gauge.free());
    }

    @Test
    void allocationsSinceTheLastReportAreTakenOff() {
        DeviceMemoryGauge gauge = new DeviceMemoryGauge(16 * GIB, false, held::get);
        held.set(2 * GIB);
        gauge.reported(30 * GIB, 140 * GIB);
        held.set(7 * GIB); // a session allocated 5 GiB; no report yet
        assertEquals(25 * GIB, gauge.free());
    }

    @Test
    void memoryFreedSinceTheLastReportIsOfferedAgain() {
        DeviceMemoryGauge gauge = new DeviceMemoryGauge(16 * GIB, false, held::get);
        held.set(6 * GIB);
        gauge.reported(30 * GIB, 140 * GIB); // another process holds about 104 GiB
        held.set(1 * GIB); // a session freed 5 GiB, and no worker has reported since
        assertEquals(35 * GIB, gauge.free());
        held.set(0); // the last session ended, its worker exited: nothing will report until the next one starts
        assertEquals(36 * GIB, gauge.free(), "a finished session's memory is free again, other processes' is not");
    }

    @Test
    void aReportThatCannotBeIsRefused() {
        DeviceMemoryGauge gauge = new DeviceMemoryGauge(16 * GIB, false, held::get);
        assertThrows(IllegalArgumentException.class, () -> gauge.reported(2 * GIB, GIB));
        assertThrows(IllegalArgumentException.class, () -> gauge.reported(-1, GIB));
        assertFalse(gauge.reported());
    }

    @Test
    void aWorkersDeviceLineReachesTheGauge() throws Exception {
        DeviceMemoryGauge gauge = new DeviceMemoryGauge(16 * GIB, false, held::get);
        Process worker = new ProcessBuilder("sh", "-c", "echo 'gpumigrate-worker device " + (100 * GIB) + " " + (140 * GIB)
                + "'; echo 'gpumigrate-worker device 5 1'").start(); // the second line cannot be: ignored
        new WorkerProcess(worker, null, gauge).exited().get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(140 * GIB, gauge.capacity());
        assertEquals(100 * GIB, gauge.free());
    }
}
