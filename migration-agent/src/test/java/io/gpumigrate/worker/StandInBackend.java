package io.gpumigrate.worker;

import io.gpumigrate.device.DeviceBackend;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/**
 * A backend for benchmarks that stands in for a GPU's kernel launch: every call goes to
 * {@code inner} (the emulator) except {@code launch}, which busy-waits {@code launchNanos} and
 * runs nothing, about what a forwarded launch costs the session thread on a real GPU.
 */
final class StandInBackend {

    private StandInBackend() {
    }

    static DeviceBackend spinningLaunches(DeviceBackend inner, long launchNanos) {
        return (DeviceBackend) Proxy.newProxyInstance(DeviceBackend.class.getClassLoader(),
                new Class<?>[] {DeviceBackend.class}, (proxy, method, args) -> {
                    if (method.getName().equals("launch")) {
                        long until = System.nanoTime() + launchNanos;
                        while (System.nanoTime() < until) {
                            Thread.onSpinWait();
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
