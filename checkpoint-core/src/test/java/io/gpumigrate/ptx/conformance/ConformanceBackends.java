package io.gpumigrate.ptx.conformance;

import io.gpumigrate.device.DeviceBackend;
import io.gpumigrate.device.emulator.EmulatorBackend;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * Chooses the backend the conformance suite runs on. By default the PTX emulator; the system
 * property {@value #PROPERTY} names another {@link DeviceBackend} class, so the same suite checks
 * both: the class needs a public no-argument constructor or a public static {@code open(int)}
 * factory, which is called with device ordinal 0 (the CUDA backend's shape), e.g.
 * {@code -Dgpumigrate.conformance.backend=io.gpumigrate.device.cuda.CudaBackend}.
 */
final class ConformanceBackends {

    static final String PROPERTY = "gpumigrate.conformance.backend";

    private ConformanceBackends() {
    }

    /** A fresh backend of the configured kind; the caller closes it. */
    static DeviceBackend create() {
        String name = System.getProperty(PROPERTY, "").trim();
        if (name.isEmpty() || name.equals(EmulatorBackend.class.getName())) {
            return new EmulatorBackend();
        }
        try {
            Class<?> type = Class.forName(name);
            if (!DeviceBackend.class.isAssignableFrom(type)) {
                throw new IllegalArgumentException(PROPERTY + "=" + name + " is not a DeviceBackend");
            }
            Method open = staticOpen(type);
            if (open != null) {
                return (DeviceBackend) open.invoke(null, 0);
            }
            return (DeviceBackend) type.getConstructor().newInstance();
        } catch (ClassNotFoundException | NoSuchMethodException | InstantiationException
                 | IllegalAccessException e) {
            throw new IllegalArgumentException(PROPERTY + "=" + name
                    + " must name a DeviceBackend class with a public static open(int) or a public no-argument constructor", e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("backend " + name + " failed to start: " + e.getCause(), e.getCause());
        }
    }

    private static Method staticOpen(Class<?> type) {
        try {
            Method m = type.getMethod("open", int.class);
            return Modifier.isStatic(m.getModifiers()) && DeviceBackend.class.isAssignableFrom(m.getReturnType()) ? m : null;
        } catch (NoSuchMethodException e) {
            return null;
        }
    }
}
