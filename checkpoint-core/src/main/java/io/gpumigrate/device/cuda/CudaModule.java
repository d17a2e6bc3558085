package io.gpumigrate.device.cuda;

import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.DeviceModule;

import java.lang.foreign.Arena;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@code CUmodule} loaded by a {@link CudaBackend}: the handle, the native copy of its image
 * (kept until unload), and the functions and globals looked up in it so far.
 *
 * <p>Not thread-safe; owned by the backend.
 */
final class CudaModule implements DeviceModule {

    final long handle;
    final ModuleImage image;
    final Arena imageArena;
    final Map<String, CudaFunction> functions = new HashMap<>();
    final Map<String, AddressRange> globals = new HashMap<>();
    /** The module's globals that lie in {@link #block} (placed by the backend, unknown to the driver). */
    final Map<String, AddressRange> placed = new HashMap<>();
    /** The block of device memory holding the placed globals; 0: the driver placed them (or there are none). */
    long block;
    long blockSize;
    /** The block's initial contents, written when the module is loaded. */
    byte[] initialGlobals;

    CudaModule(long handle, ModuleImage image, Arena imageArena) {
        this.handle = handle;
        this.image = image;
        this.imageArena = imageArena;
    }

    @Override
    public String toString() {
        return String.format("CudaModule[0x%x, %s, %d bytes%s]", handle, image.kind(), image.bytes().length,
                block == 0 ? "" : String.format(", globals at 0x%x", block));
    }
}
