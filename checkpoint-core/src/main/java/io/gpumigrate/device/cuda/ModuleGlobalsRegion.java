package io.gpumigrate.device.cuda;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.emulator.DeviceAddressSpace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.Arena;

/**
 * Where the CUDA backend puts the blocks that hold modules' globals: an address range of its own
 * at {@link DeviceAddressSpace#GLOBALS_BASE}, above the session window and the same in every
 * worker (the emulator places its blocks there too). A migration target can therefore load a
 * session's modules at their blocks' addresses before it has placed the allocations. The range
 * is reserved at the first block; where the driver will not grant it, blocks cannot be placed
 * and modules are loaded as they came ({@code CUDA_ERROR_NOT_SUPPORTED} from {@link #allocate}).
 *
 * <p>Not thread-safe: the session's thread, with the context current.
 */
final class ModuleGlobalsRegion implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ModuleGlobalsRegion.class);
    /** Address space only: blocks are mapped as they are made, sharing granules. */
    static final long SIZE = 64L << 30;
    /** Where blocks start: a cubin's sections ask for far less (the emulator packs them 512 apart). */
    static final long ALIGNMENT = 512;

    private final CudaDriver driver;
    private final int ordinal;
    private final long base;
    private final Arena arena;
    private DeviceMemory memory;
    private String unavailable;

    /** @param windowEnd the end of the session's window: the region starts at or above it */
    ModuleGlobalsRegion(CudaDriver driver, int ordinal, long windowEnd, Arena arena) {
        this.driver = driver;
        this.ordinal = ordinal;
        this.base = Math.max(DeviceAddressSpace.GLOBALS_BASE, windowEnd);
        this.arena = arena;
    }

    /**
     * Maps a block of {@code bytes}: at exactly {@code at} when non-zero, else at the lowest free
     * address of the region.
     */
    long allocate(long bytes, long at) throws CudaException {
        if (memory == null && unavailable == null) {
            try {
                memory = new DeviceMemory(driver, ordinal, base, SIZE, arena);
            } catch (CudaException e) {
                unavailable = e.getMessage();
                log.warn("module globals stay where the driver puts them: {}", unavailable);
            }
        }
        if (memory == null) {
            throw new CudaException(CuResult.NOT_SUPPORTED, "no range for module globals: " + unavailable);
        }
        return memory.allocAt(at != 0 ? at : lowestFree(bytes), bytes);
    }

    /**
     * The lowest {@value #ALIGNMENT}-aligned address where {@code bytes} fit between the blocks:
     * small blocks share a granule ({@link DeviceMemory#allocAt} maps only the granules not mapped
     * yet), rather than taking one each.
     */
    private long lowestFree(long bytes) throws CudaException {
        long address = base;
        for (DeviceMemory.Allocation a : memory.allocations()) {
            if (address + bytes <= a.base()) {
                break;
            }
            address = Math.max(address, (a.end() + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT);
        }
        if (address + bytes > base + SIZE || address + bytes < address) {
            throw new CudaException(CuResult.OUT_OF_MEMORY, String.format(
                    "no room for %d bytes of module globals in 0x%x + %d", bytes, base, SIZE));
        }
        return address;
    }

    void free(long block) throws CudaException {
        memory.free(block);
    }

    @Override
    public void close() {
        if (memory != null) {
            memory.close();
            memory = null;
        }
    }
}
