package io.gpumigrate.device.cuda;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceProperties;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** Reads a device's {@link DeviceProperties} from the driver. Stateless and thread-safe. */
final class CudaProperties {

    /**
     * Attribute ids asked for: {@code CU_DEVICE_ATTRIBUTE_MAX} is 148 in CUDA 13.0; asking a
     * little beyond it picks up newer drivers' attributes; ids a driver does not know answer
     * {@code CUDA_ERROR_INVALID_VALUE} and stay 0.
     */
    static final int ATTRIBUTE_LIMIT = 192;
    /** {@code CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR} and {@code _MINOR}. */
    static final int ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
    static final int ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
    /** {@code CU_DEVICE_ATTRIBUTE_VIRTUAL_MEMORY_MANAGEMENT_SUPPORTED}. */
    static final int ATTRIBUTE_VMM_SUPPORTED = 102;
    private static final int NAME_BYTES = 256;

    private CudaProperties() {
    }

    static DeviceProperties read(CudaDriver driver, int device) throws CudaException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocate(NAME_BYTES);
            driver.check(driver.deviceGetName(name, NAME_BYTES, device), "cuDeviceGetName");
            MemorySegment uuid = arena.allocate(16);
            driver.check(driver.deviceGetUuid(uuid, device), "cuDeviceGetUuid_v2");
            MemorySegment total = arena.allocate(JAVA_LONG);
            driver.check(driver.deviceTotalMem(total, device), "cuDeviceTotalMem_v2");
            MemorySegment value = arena.allocate(JAVA_INT);
            driver.check(driver.driverGetVersion(value), "cuDriverGetVersion");
            int version = value.get(JAVA_INT, 0);
            int[] attributes = new int[ATTRIBUTE_LIMIT];
            int highest = 0;
            for (int id = 1; id < ATTRIBUTE_LIMIT; id++) {
                // Unknown ids answer CUDA_ERROR_INVALID_VALUE; any other refusal of one attribute
                // must not stop a session from starting either: the attribute stays 0.
                if (driver.deviceGetAttribute(value, id, device) == CuResult.SUCCESS) {
                    attributes[id] = value.get(JAVA_INT, 0);
                    highest = id;
                }
            }
            return new DeviceProperties(name.getString(0), uuid.toArray(JAVA_BYTE), total.get(JAVA_LONG, 0),
                    Arrays.copyOf(attributes, highest + 1), version);
        }
    }

    /** One attribute; throws for ids the driver does not know. */
    static int attribute(CudaDriver driver, int device, int attribute) throws CudaException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            driver.check(driver.deviceGetAttribute(value, attribute, device), "cuDeviceGetAttribute(" + attribute + ")");
            return value.get(JAVA_INT, 0);
        }
    }
}
