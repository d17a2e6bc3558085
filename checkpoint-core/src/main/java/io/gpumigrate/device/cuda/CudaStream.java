package io.gpumigrate.device.cuda;

import io.gpumigrate.device.DeviceStream;

/**
 * A {@code CUstream} created by a {@link CudaBackend}. Identity matters: the backend accepts
 * only streams it created and has not destroyed. Immutable.
 */
final class CudaStream implements DeviceStream {

    final long handle;
    final int flags;
    final int priority;

    CudaStream(long handle, int flags, int priority) {
        this.handle = handle;
        this.flags = flags;
        this.priority = priority;
    }

    @Override
    public String toString() {
        return String.format("CudaStream[0x%x, flags=%d, priority=%d]", handle, flags, priority);
    }
}
