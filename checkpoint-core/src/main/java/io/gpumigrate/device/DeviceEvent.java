package io.gpumigrate.device;

/** An event created by a backend. Opaque to everyone but that backend. */
public interface DeviceEvent {
}
