package io.gpumigrate.worker;

import io.gpumigrate.device.DeviceBackend;

import java.lang.foreign.MemorySegment;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.locks.LockSupport;

/**
 * A backend for benchmarks that stands in for a GPU where the emulator's CPU work would distort
 * the picture: every call goes to {@code inner} (the emulator) except, when asked for,
 * {@code launch}, which busy-waits a fixed time and runs nothing (about what a forwarded launch
 * costs the session thread on a real GPU), and {@code copyHtoD}, which parks for as long as a DMA
 * at a given rate would take and copies nothing (a DMA costs the host's CPUs nothing).
 */
final class StandInBackend {

    private StandInBackend() {
    }

    /**
     * @param launchNanos how long a launch busy-waits; 0 leaves launches to {@code inner}
     * @param dmaGBps     the rate a host-to-device copy stands for; 0 leaves copies to {@code inner}
     */
    static DeviceBackend of(DeviceBackend inner, long launchNanos, double dmaGBps) {
        return (DeviceBackend) Proxy.newProxyInstance(DeviceBackend.class.getClassLoader(),
                new Class<?>[] {DeviceBackend.class}, (proxy, method, args) -> {
                    if (launchNanos > 0 && method.getName().equals("launch")) {
                        long until = System.nanoTime() + launchNanos;
                        while (System.nanoTime() < until) {
                            Thread.onSpinWait();
                        }
                        return null;
                    }
                    if (dmaGBps > 0 && method.getName().equals("copyHtoD")) {
                        long until = System.nanoTime() + (long) (((MemorySegment) args[1]).byteSize() / dmaGBps);
                        for (long left = until - System.nanoTime(); left > 0; left = until - System.nanoTime()) {
                            LockSupport.parkNanos(left);
                        }
                        return null;
                    }
                    try {
                        return method.invoke(inner, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
