package io.gpumigrate.device;

import io.gpumigrate.device.emulator.EmulatorBackend;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicLong;

/**
 * For tests: an emulator that behaves like the CUDA backend towards transfers, hashing and
 * zero-testing chunks on the "device" with {@link KernelChunkHasher} (the same PTX), and that
 * counts the bytes copied from the device to the host.
 */
public final class DeviceHashingSource {

    private final DeviceBackend backend;
    private final AtomicLong readToHost = new AtomicLong();

    public DeviceHashingSource(EmulatorBackend device, KernelChunkHasher hasher) {
        this.backend = (DeviceBackend) Proxy.newProxyInstance(DeviceBackend.class.getClassLoader(),
                new Class<?>[] {DeviceBackend.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "digestsOnDevice" -> true;
                    case "chunkDigests" -> hasher.digests((long) args[0], (long) args[1], (int) args[2]);
                    default -> {
                        if (method.getName().equals("copyDtoH")) {
                            readToHost.addAndGet(((MemorySegment) args[0]).byteSize());
                        }
                        try {
                            yield method.invoke(device, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    }
                });
    }

    /** The backend to hand to a sender or writer. */
    public DeviceBackend backend() {
        return backend;
    }

    /** Bytes copied to the host through {@link #backend()} since the last {@link #resetCount()}. */
    public long readToHost() {
        return readToHost.get();
    }

    public void resetCount() {
        readToHost.set(0);
    }
}
