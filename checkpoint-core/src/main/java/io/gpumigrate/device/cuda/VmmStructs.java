package io.gpumigrate.device.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The C structs of CUDA's virtual memory management API, laid out as {@code cuda.h} (CUDA 13)
 * declares them for LP64, and the enum values this backend passes in them.
 */
final class VmmStructs {

    /** {@code CU_MEM_ALLOCATION_TYPE_PINNED}. */
    static final int ALLOCATION_TYPE_PINNED = 1;
    /** {@code CU_MEM_HANDLE_TYPE_NONE}: no export handle. */
    static final int HANDLE_TYPE_NONE = 0;
    /** {@code CU_MEM_LOCATION_TYPE_DEVICE}: the location id is a device ordinal. */
    static final int LOCATION_TYPE_DEVICE = 1;
    /** {@code CU_MEM_ACCESS_FLAGS_PROT_READWRITE}. */
    static final int ACCESS_READWRITE = 3;
    /** {@code CU_MEM_ALLOC_GRANULARITY_MINIMUM}. */
    static final int GRANULARITY_MINIMUM = 0;

    /** {@code CUmemLocation}: {@code { CUmemLocationType type; int id; }}, 8 bytes. */
    static final StructLayout MEM_LOCATION = MemoryLayout.structLayout(
            JAVA_INT.withName("type"),
            JAVA_INT.withName("id"));

    /**
     * {@code CUmemAllocationProp}, 32 bytes: type, requestedHandleTypes, location, the
     * Windows-only {@code win32HandleMetaData} pointer (must be zero elsewhere) and the
     * {@code allocFlags} struct (compressionType, gpuDirectRDMACapable, usage, reserved[4]).
     */
    static final StructLayout ALLOCATION_PROP = MemoryLayout.structLayout(
            JAVA_INT.withName("type"),
            JAVA_INT.withName("requestedHandleTypes"),
            MEM_LOCATION.withName("location"),
            ADDRESS.withName("win32HandleMetaData"),
            MemoryLayout.structLayout(
                    JAVA_BYTE.withName("compressionType"),
                    JAVA_BYTE.withName("gpuDirectRDMACapable"),
                    JAVA_SHORT.withName("usage"),
                    MemoryLayout.sequenceLayout(4, JAVA_BYTE).withName("reserved")).withName("allocFlags"));

    /** {@code CUmemAccessDesc}: {@code { CUmemLocation location; CUmemAccess_flags flags; }}, 12 bytes. */
    static final StructLayout ACCESS_DESC = MemoryLayout.structLayout(
            MEM_LOCATION.withName("location"),
            JAVA_INT.withName("flags"));

    static final long PROP_TYPE = offset(ALLOCATION_PROP, "type");
    static final long PROP_LOCATION_TYPE = ALLOCATION_PROP.byteOffset(
            MemoryLayout.PathElement.groupElement("location"), MemoryLayout.PathElement.groupElement("type"));
    static final long PROP_LOCATION_ID = ALLOCATION_PROP.byteOffset(
            MemoryLayout.PathElement.groupElement("location"), MemoryLayout.PathElement.groupElement("id"));
    static final long PROP_HANDLE_TYPES = offset(ALLOCATION_PROP, "requestedHandleTypes");
    static final long ACCESS_LOCATION_TYPE = 0;
    static final long ACCESS_LOCATION_ID = 4;
    static final long ACCESS_FLAGS = offset(ACCESS_DESC, "flags");

    private VmmStructs() {
    }

    /** A zeroed {@code CUmemAllocationProp} for pinned device memory on {@code ordinal}, with no export handle. */
    static MemorySegment pinnedDeviceProp(Arena arena, int ordinal) {
        MemorySegment prop = arena.allocate(ALLOCATION_PROP);
        prop.fill((byte) 0);
        prop.set(JAVA_INT, PROP_TYPE, ALLOCATION_TYPE_PINNED);
        prop.set(JAVA_INT, PROP_HANDLE_TYPES, HANDLE_TYPE_NONE);
        prop.set(JAVA_INT, PROP_LOCATION_TYPE, LOCATION_TYPE_DEVICE);
        prop.set(JAVA_INT, PROP_LOCATION_ID, ordinal);
        return prop;
    }

    /** One {@code CUmemAccessDesc} granting {@code ordinal} read-write access. */
    static MemorySegment readWriteAccess(Arena arena, int ordinal) {
        MemorySegment desc = arena.allocate(ACCESS_DESC);
        desc.set(JAVA_INT, ACCESS_LOCATION_TYPE, LOCATION_TYPE_DEVICE);
        desc.set(JAVA_INT, ACCESS_LOCATION_ID, ordinal);
        desc.set(JAVA_INT, ACCESS_FLAGS, ACCESS_READWRITE);
        return desc;
    }

    private static long offset(StructLayout layout, String field) {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }
}
