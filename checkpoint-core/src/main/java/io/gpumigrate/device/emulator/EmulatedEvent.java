package io.gpumigrate.device.emulator;

import io.gpumigrate.device.DeviceEvent;

/** An event of an {@link EmulatorBackend}: the host time of its last record. */
final class EmulatedEvent implements DeviceEvent {

    /** {@code CU_EVENT_DISABLE_TIMING}. */
    static final int DISABLE_TIMING = 0x2;

    final EmulatorBackend owner;
    final int flags;
    /** {@link System#nanoTime()} of the last record, or -1 before the first. */
    long recordedNanos = -1;
    boolean destroyed;

    EmulatedEvent(EmulatorBackend owner, int flags) {
        this.owner = owner;
        this.flags = flags;
    }

    @Override
    public String toString() {
        return "EmulatedEvent@" + Integer.toHexString(System.identityHashCode(this));
    }
}
