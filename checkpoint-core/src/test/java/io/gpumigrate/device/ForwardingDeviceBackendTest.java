package io.gpumigrate.device;

import io.gpumigrate.device.emulator.EmulatorBackend;

/**
 * A forwarding wrapper that changes nothing is, to its callers, the device it wraps: the
 * backend contract holds through it (over the emulator).
 */
class ForwardingDeviceBackendTest extends DeviceBackendContract {

    @Override
    protected DeviceBackend newBackend() {
        return new ForwardingDeviceBackend(new EmulatorBackend()) { };
    }
}
