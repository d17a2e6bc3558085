package io.gpumigrate.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceBackend;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pinning is best effort: it stops at the first buffer the device refuses, and release undoes exactly what it did. */
class HostPinningTest {

    @Test
    void pinsUntilTheDeviceRefusesAndReleasesWhatItPinned() {
        List<MemorySegment> registered = new ArrayList<>();
        DeviceBackend device = (DeviceBackend) Proxy.newProxyInstance(DeviceBackend.class.getClassLoader(),
                new Class<?>[] {DeviceBackend.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "registerHost" -> {
                        if (registered.size() == 2) {
                            throw new CudaException(CuResult.OUT_OF_MEMORY, "no more pinned memory");
                        }
                        registered.add((MemorySegment) args[0]);
                        yield null;
                    }
                    case "unregisterHost" -> {
                        registered.remove((MemorySegment) args[0]);
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        try (Arena arena = Arena.ofConfined()) {
            List<MemorySegment> buffers = List.of(arena.allocate(4096), arena.allocate(4096), arena.allocate(4096));

            HostPinning pinning = HostPinning.register(device, buffers);

            assertEquals(2, pinning.count());
            assertEquals(buffers.subList(0, 2), registered);
            pinning.release();
            assertEquals(List.of(), registered);
            pinning.release();
            assertEquals(0, pinning.count());
        }
    }
}
