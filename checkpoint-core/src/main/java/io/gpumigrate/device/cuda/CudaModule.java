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

    CudaModule(long handle, ModuleImage image, Arena imageArena) {
        this.handle = handle;
        this.image = image;
        this.imageArena = imageArena;
    }

    @Override
    public String toString() {
        return String.format("CudaModule[0x%x, %s, %d bytes]", handle, image.kind(), image.bytes().length);
    }
}
