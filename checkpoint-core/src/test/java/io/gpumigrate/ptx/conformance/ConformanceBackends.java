package io.gpumigrate.ptx.conformance;

import io.gpumigrate.device.DeviceBackend;
import io.gpumigrate.device.emulator.EmulatorBackend;
import java.lang.reflect.InvocationTargetException;

/**
 * Chooses the backend the conformance suite runs on. By default the PTX emulator; the system
 * property {@value #PROPERTY} names another {@link DeviceBackend} class with a public no-argument
 * constructor (the CUDA backend on a GPU machine), so the same suite checks both.
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
            return (DeviceBackend) type.getConstructor().newInstance();
        } catch (ClassNotFoundException | NoSuchMethodException | InstantiationException
                 | IllegalAccessException e) {
            throw new IllegalArgumentException(PROPERTY + "=" + name
                    + " must name a DeviceBackend class with a public no-argument constructor", e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("backend " + name + " failed to start", e.getCause());
        }
    }

    /** Whether the suite runs on the emulator (the only backend that checks every byte of every access). */
    static boolean isEmulator(DeviceBackend backend) {
        return backend instanceof EmulatorBackend;
    }
}
