package io.gpumigrate.device;

/**
 * What {@code cuDeviceGet*} report for a device.
 *
 * @param name            the device's name ({@code cuDeviceGetName})
 * @param uuid            16 bytes ({@code cuDeviceGetUuid})
 * @param totalMemory     bytes ({@code cuDeviceTotalMem})
 * @param attributes      indexed by {@code CUdevice_attribute} value; index 0 unused
 * @param driverVersion   as {@code cuDriverGetVersion} reports it, e.g. 13000
 */
public record DeviceProperties(String name, byte[] uuid, long totalMemory, int[] attributes, int driverVersion) {

    public DeviceProperties {
        if (uuid.length != 16) {
            throw new IllegalArgumentException("uuid must be 16 bytes, was " + uuid.length);
        }
        uuid = uuid.clone();
        attributes = attributes.clone();
    }

    /** The attribute's value, 0 for attributes this device does not report. */
    public int attribute(int attribute) {
        return attribute > 0 && attribute < attributes.length ? attributes[attribute] : 0;
    }

    @Override
    public byte[] uuid() {
        return uuid.clone();
    }

    @Override
    public int[] attributes() {
        return attributes.clone();
    }
}
