package io.gpumigrate.device;

/** A loaded module. Opaque to everyone but the backend that created it. */
public interface DeviceModule {
}
