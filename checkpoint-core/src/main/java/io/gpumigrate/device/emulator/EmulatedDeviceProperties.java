package io.gpumigrate.device.emulator;

import io.gpumigrate.device.DeviceProperties;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * What the emulated device reports through {@code cuDeviceGetAttribute} and friends: an
 * sm_90-class device whose name says it is the emulator. Indices are CUDA's
 * {@code CUdevice_attribute} values.
 */
final class EmulatedDeviceProperties {

    static final String NAME = "gpumigrate PTX emulator";
    static final int DRIVER_VERSION = 13000;
    static final int MULTIPROCESSORS = 8;
    static final int SHARED_PER_BLOCK = 48 * 1024;
    static final int SHARED_PER_BLOCK_OPTIN = 227 * 1024;
    static final int MAX_THREADS_PER_BLOCK = 1024;

    private EmulatedDeviceProperties() {
    }

    static DeviceProperties create(long totalMemory) {
        int[] a = new int[135];
        a[1] = MAX_THREADS_PER_BLOCK;            // MAX_THREADS_PER_BLOCK
        a[2] = 1024;                             // MAX_BLOCK_DIM_X
        a[3] = 1024;                             // MAX_BLOCK_DIM_Y
        a[4] = 64;                               // MAX_BLOCK_DIM_Z
        a[5] = Integer.MAX_VALUE;                // MAX_GRID_DIM_X
        a[6] = 65535;                            // MAX_GRID_DIM_Y
        a[7] = 65535;                            // MAX_GRID_DIM_Z
        a[8] = SHARED_PER_BLOCK;                 // MAX_SHARED_MEMORY_PER_BLOCK
        a[9] = 64 * 1024;                        // TOTAL_CONSTANT_MEMORY
        a[10] = 32;                              // WARP_SIZE
        a[11] = Integer.MAX_VALUE;               // MAX_PITCH
        a[12] = 65536;                           // MAX_REGISTERS_PER_BLOCK
        a[13] = 1_980_000;                       // CLOCK_RATE (kHz)
        a[14] = 512;                             // TEXTURE_ALIGNMENT
        a[15] = 1;                               // GPU_OVERLAP
        a[16] = MULTIPROCESSORS;                 // MULTIPROCESSOR_COUNT
        a[20] = 0;                               // COMPUTE_MODE default
        a[30] = 512;                             // SURFACE_ALIGNMENT
        a[31] = 1;                               // CONCURRENT_KERNELS
        a[36] = 2_619_000;                       // MEMORY_CLOCK_RATE (kHz)
        a[37] = 5120;                            // GLOBAL_MEMORY_BUS_WIDTH
        a[38] = 50 * 1024 * 1024;                // L2_CACHE_SIZE
        a[39] = 2048;                            // MAX_THREADS_PER_MULTIPROCESSOR
        a[40] = 2;                               // ASYNC_ENGINE_COUNT
        a[41] = 1;                               // UNIFIED_ADDRESSING
        a[51] = 32;                              // TEXTURE_PITCH_ALIGNMENT
        a[75] = 9;                               // COMPUTE_CAPABILITY_MAJOR
        a[76] = 0;                               // COMPUTE_CAPABILITY_MINOR
        a[78] = 1;                               // STREAM_PRIORITIES_SUPPORTED
        a[79] = 1;                               // GLOBAL_L1_CACHE_SUPPORTED
        a[80] = 1;                               // LOCAL_L1_CACHE_SUPPORTED
        a[81] = 228 * 1024;                      // MAX_SHARED_MEMORY_PER_MULTIPROCESSOR
        a[82] = 65536;                           // MAX_REGISTERS_PER_MULTIPROCESSOR
        a[87] = 2;                               // SINGLE_TO_DOUBLE_PRECISION_PERF_RATIO
        a[90] = 1;                               // COMPUTE_PREEMPTION_SUPPORTED
        a[95] = 1;                               // COOPERATIVE_LAUNCH
        a[97] = SHARED_PER_BLOCK_OPTIN;          // MAX_SHARED_MEMORY_PER_BLOCK_OPTIN
        a[102] = 1;                              // VIRTUAL_MEMORY_MANAGEMENT_SUPPORTED
        a[106] = 32;                             // MAX_BLOCKS_PER_MULTIPROCESSOR
        a[111] = 1024;                           // RESERVED_SHARED_MEMORY_PER_BLOCK
        a[126] = 4;                              // MEM_SYNC_DOMAIN_COUNT
        a[130] = 0;                              // NUMA_CONFIG
        a[131] = -1;                             // NUMA_ID
        a[134] = -1;                             // HOST_NUMA_ID
        return new DeviceProperties(NAME, uuid(), totalMemory, a, DRIVER_VERSION);
    }

    /** A stable UUID derived from the name, so a restored session sees the same device identity. */
    private static byte[] uuid() {
        UUID u = UUID.nameUUIDFromBytes(NAME.getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits()).array();
    }
}
