package io.gpumigrate.worker.replay;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceBackend;
import io.gpumigrate.device.ForwardingDeviceBackend;


/**
 * A backend that places the next allocation where the recording had it: the replayer names the
 * address before a MEM_ALLOC whose result was logged, and {@link #memAlloc} then asks the device
 * for exactly that address ({@link DeviceBackend#memAllocAt}). So a log recorded on a GPU
 * replays on the emulator at the GPU's addresses. Where the device cannot place allocations, or
 * no address was named, it allocates as usual. Everything else passes straight through.
 *
 * <p>Not thread-safe, like every backend.
 */
final class PlacingBackend extends ForwardingDeviceBackend {

    private long next;
    private boolean placing = true;

    PlacingBackend(DeviceBackend device) {
        super(device);
    }

    /** The address the next {@link #memAlloc} must return (0: wherever the device chooses). */
    void placeNextAt(long address) {
        next = address;
    }

    @Override
    public long memAlloc(long bytes) throws CudaException {
        long at = next;
        next = 0;
        if (at != 0 && placing) {
            try {
                return device().memAllocAt(at, bytes);
            } catch (CudaException e) {
                if (e.result() != CuResult.NOT_SUPPORTED) {
                    throw new CudaException(e.result(), "cannot place " + bytes + " bytes at 0x" + Long.toHexString(at)
                            + ", where the recording had them: " + e.getMessage());
                }
                placing = false;
            }
        }
        return device().memAlloc(bytes);
    }
}
