package io.gpumigrate.checkpoint;

import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceBackend;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Host buffers registered with a device ({@link DeviceBackend#registerHost}) for the length of
 * a transfer, so that the CUDA backend copies chunks straight into them (DMA) instead of through
 * its staging ring and a second {@code memcpy}. Best effort: a buffer the device refuses to pin
 * is simply copied through staging, as before.
 *
 * <p>Not thread-safe: register and release on the thread that may call the device.
 */
public final class HostPinning {

    private final DeviceBackend device;
    private final List<MemorySegment> pinned = new ArrayList<>();

    private HostPinning(DeviceBackend device) {
        this.device = device;
    }

    /** Registers each of {@code buffers} that the device accepts. */
    public static HostPinning register(DeviceBackend device, List<MemorySegment> buffers) {
        HostPinning pinning = new HostPinning(device);
        for (MemorySegment buffer : buffers) {
            try {
                device.registerHost(buffer);
                pinning.pinned.add(buffer);
            } catch (CudaException | RuntimeException e) {
                break; // out of pinnable memory, or not supported: the rest goes through staging
            }
        }
        return pinning;
    }

    /** How many buffers are pinned. */
    public int count() {
        return pinned.size();
    }

    /** Unregisters every pinned buffer; failures are ignored (the device may be gone). Idempotent. */
    public void release() {
        for (MemorySegment buffer : pinned) {
            try {
                device.unregisterHost(buffer);
            } catch (CudaException | RuntimeException ignored) {
                // the backend frees its registrations when it closes
            }
        }
        pinned.clear();
    }
}
