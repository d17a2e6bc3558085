package io.gpumigrate.device.cuda;

import io.gpumigrate.device.DeviceEvent;

/**
 * A {@code CUevent} created by a {@link CudaBackend}. Identity matters: the backend accepts
 * only events it created and has not destroyed. Immutable.
 */
final class CudaEvent implements DeviceEvent {

    final long handle;
    final int flags;

    CudaEvent(long handle, int flags) {
        this.handle = handle;
        this.flags = flags;
    }

    @Override
    public String toString() {
        return String.format("CudaEvent[0x%x, flags=%d]", handle, flags);
    }
}
