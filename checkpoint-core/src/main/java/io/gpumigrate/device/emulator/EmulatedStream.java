package io.gpumigrate.device.emulator;

import io.gpumigrate.device.DeviceStream;

/** A stream of an {@link EmulatorBackend}. Work runs synchronously, so a stream only carries identity. */
final class EmulatedStream implements DeviceStream {

    final EmulatorBackend owner;
    final int flags;
    final int priority;
    boolean destroyed;

    EmulatedStream(EmulatorBackend owner, int flags, int priority) {
        this.owner = owner;
        this.flags = flags;
        this.priority = priority;
    }

    @Override
    public String toString() {
        return "EmulatedStream@" + Integer.toHexString(System.identityHashCode(this));
    }
}
