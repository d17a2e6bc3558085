package io.gpumigrate.device;

/** A stream created by a backend. Opaque to everyone but that backend. */
public interface DeviceStream {
}
