package io.gpumigrate.checkpoint.transfer;

import io.gpumigrate.checkpoint.SessionImage;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceBackend;
import io.gpumigrate.device.DeviceModule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Modules a migration target loaded on its device before the pause, from the images the source
 * sent early (MODULES): re-creating the session then takes a loaded module for an image with the
 * same bytes ({@link #take}) instead of loading (and JIT-compiling) it inside the pause. Modules
 * the source loads after sending MODULES are simply loaded at re-creation, as before.
 *
 * <p>Not thread-safe: used on the target's apply executor (the session's thread) only.
 */
public final class PreloadedModules {

    private static final Logger log = LoggerFactory.getLogger(PreloadedModules.class);

    private record Loaded(byte[] image, long globalsAt, DeviceModule module) {
    }

    private final DeviceBackend device;
    private final List<Loaded> loaded = new ArrayList<>();
    private int taken;

    PreloadedModules(DeviceBackend device) {
        this.device = device;
    }

    /** None preloaded: every module is loaded at re-creation. */
    public static PreloadedModules none(DeviceBackend device) {
        return new PreloadedModules(device);
    }

    /**
     * Loads each image; one the device refuses is skipped (re-creating the session loads it again
     * and reports the error where the session's own load would have).
     */
    void load(List<SessionImage.Module> modules) {
        for (SessionImage.Module m : SessionImage.Module.inLoadOrder(modules)) {
            try {
                loaded.add(new Loaded(m.image(), m.globalsAt(), device.loadModule(m.image(), m.globalsAt())));
            } catch (CudaException | RuntimeException e) {
                log.info("module {} not preloaded ({}); it is loaded when the session is re-created", m.handle(),
                        e.getMessage());
            }
        }
    }

    /**
     * A preloaded module of exactly {@code image}'s bytes whose globals lie at {@code globalsAt}
     * (0: placed by the device), now the caller's; null when there is none.
     */
    public DeviceModule take(byte[] image, long globalsAt) {
        for (Iterator<Loaded> it = loaded.iterator(); it.hasNext(); ) {
            Loaded l = it.next();
            if (l.globalsAt() == globalsAt && Arrays.equals(l.image(), image)) {
                it.remove();
                taken++;
                return l.module();
            }
        }
        return null;
    }

    /**
     * Unloads the preloaded modules that none of {@code modules} (the session's at the pause) will
     * take: one the source unloaded after sending MODULES would otherwise hold its globals' block
     * where a module loaded later may need to lie.
     */
    public void keepOnly(List<SessionImage.Module> modules) {
        for (Iterator<Loaded> it = loaded.iterator(); it.hasNext(); ) {
            Loaded l = it.next();
            boolean wanted = modules.stream().anyMatch(m -> m.globalsAt() == l.globalsAt()
                    && Arrays.equals(m.image(), l.image()));
            if (!wanted) {
                it.remove();
                unload(l);
            }
        }
    }

    /** Modules taken so far (for the target's log: how much loading the pause was spared). */
    public int taken() {
        return taken;
    }

    /** Modules preloaded and not taken. */
    public int count() {
        return loaded.size();
    }

    /** Unloads every module not taken (after re-creation, or when the transfer fails); errors are ignored. */
    public void unloadRest() {
        for (Loaded l : loaded) {
            unload(l);
        }
        loaded.clear();
    }

    private void unload(Loaded l) {
        try {
            device.unloadModule(l.module());
        } catch (CudaException | RuntimeException ignored) {
            // the device is being abandoned or the module is unused: nothing to do
        }
    }
}
