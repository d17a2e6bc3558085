package io.gpumigrate.device.cuda;

import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceFunction;
import io.gpumigrate.device.DeviceModule;
import io.gpumigrate.device.ParamLayout;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The modules a backend has loaded, their functions (with parameter layouts) and the module
 * globals looked up in them. Where it can, it places a module's globals itself, in a block of
 * the {@link ModuleGlobalsRegion}, so that a restore can put them at the same addresses
 * (docs/module-globals.md). Accepts only handles it created and has not unloaded.
 *
 * <p>Not thread-safe: called on the session's thread with the context current.
 */
final class CudaModules implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CudaModules.class);

    /** {@code CU_JIT_ERROR_LOG_BUFFER} and {@code CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES}. */
    private static final int JIT_ERROR_LOG_BUFFER = 5;
    private static final int JIT_ERROR_LOG_BUFFER_SIZE = 6;
    private static final int ERROR_LOG_BYTES = 16 * 1024;
    /** {@code CU_JIT_GLOBAL_SYMBOL_NAMES}, {@code _ADDRESSES}, {@code _COUNT}: where undefined globals lie. */
    private static final int JIT_GLOBAL_SYMBOL_NAMES = 17;
    private static final int JIT_GLOBAL_SYMBOL_ADDRESSES = 18;
    private static final int JIT_GLOBAL_SYMBOL_COUNT = 19;
    /** More parameters than fit in CUDA's 32764-byte parameter space: a sign the query never ends. */
    private static final int MAX_PARAMS = 32768;

    private final CudaDriver driver;
    private final ModuleGlobalsRegion region;
    /** The device's compute capability as a fat binary names it (90 for sm_90). */
    private final int sm;
    private final MemorySegment out;
    private final MemorySegment out2;
    private final Set<CudaModule> modules = new HashSet<>();
    private final Set<CudaFunction> functions = new HashSet<>();
    private final TreeMap<Long, AddressRange> globals = new TreeMap<>();
    /** The blocks of placed globals, by base. */
    private final TreeMap<Long, AddressRange> blocks = new TreeMap<>();

    CudaModules(CudaDriver driver, ModuleGlobalsRegion region, int sm, Arena arena) {
        this.driver = driver;
        this.region = region;
        this.sm = sm;
        this.out = arena.allocate(JAVA_LONG);
        this.out2 = arena.allocate(JAVA_LONG);
    }

    /**
     * Loads PTX, a cubin or a fat binary; a JIT error's log becomes part of the exception's
     * message. Its globals go in a block of their own when the device's cubin lets them be placed
     * ({@link CubinGlobals}): at {@code globalsAt} when non-zero, else where the region has room;
     * the caller writes {@link CudaModule#initialGlobals} there. Otherwise the driver places them,
     * and a non-zero {@code globalsAt} is refused with {@code CUDA_ERROR_NOT_SUPPORTED}.
     */
    CudaModule load(byte[] bytes, long globalsAt) throws CudaException {
        if (bytes == null || bytes.length == 0) {
            throw new CudaException(CuResult.INVALID_IMAGE, "module image is empty");
        }
        ModuleImage image = ModuleImage.of(bytes);
        Prepared prepared = prepare(image);
        CubinGlobals globals = prepared == null ? null : prepared.globals();
        if (globals == null || globals.blockSize() == 0) {
            if (globalsAt != 0) {
                throw new CudaException(CuResult.NOT_SUPPORTED, "this device cannot place the globals of the "
                        + image.kind() + " (" + bytes.length + " bytes) at 0x" + Long.toHexString(globalsAt));
            }
            // no globals: the cubin the linker made already is what loading the image would JIT again
            byte[] code = prepared == null ? image.bytes() : prepared.cubin();
            return register(loadCode(image, code, List.of(), List.of()));
        }
        long block = region.allocate(globals.blockSize(), globalsAt);
        List<String> names = new ArrayList<>();
        List<Long> addresses = new ArrayList<>();
        for (CubinGlobals.Variable v : globals.variables()) {
            names.add(v.name());
            addresses.add(block + v.offset());
        }
        CudaModule module;
        try {
            module = loadCode(image, globals.patchedCubin(), names, addresses);
        } catch (CudaException e) {
            region.free(block);
            if (globalsAt != 0) {
                throw e;
            }
            log.warn("the {}'s globals could not be placed ({}); the driver places them", image.kind(), e.getMessage());
            return register(loadCode(image, image.bytes(), List.of(), List.of()));
        }
        log.info("{} loaded with its {} globals placed at 0x{} ({} bytes)", image.kind(), globals.variables().size(),
                Long.toHexString(block), globals.blockSize());
        module.block = block;
        module.blockSize = globals.blockSize();
        blocks.put(block, new AddressRange(block, globals.blockSize()));
        module.initialGlobals = globals.initialContents(block);
        for (CubinGlobals.Variable v : globals.variables()) {
            AddressRange range = new AddressRange(block + v.offset(), Math.max(1, v.size()));
            module.placed.put(v.name(), range);
            this.globals.put(range.base(), range);
        }
        return register(module);
    }

    private CudaModule register(CudaModule module) {
        modules.add(module);
        return module;
    }

    /** The device's cubin of an image and its globals as they could be placed. */
    private record Prepared(byte[] cubin, CubinGlobals globals) {
    }

    /**
     * The device's cubin of {@code image} (a fat binary's for this device, or the JIT linker's) and
     * its globals; {@code globals} null when they cannot be placed; null when there is no cubin
     * (the reasons are logged at debug level).
     */
    private Prepared prepare(ModuleImage image) {
        byte[] cubin;
        try {
            cubin = switch (image.kind()) {
                case CUBIN -> image.bytes();
                case FATBIN -> FatbinImage.elfFor(image.bytes(), sm).orElse(null);
                case PTX -> null;
            };
            if (cubin == null) {
                cubin = CubinLinker.link(driver, image);
            }
        } catch (CudaException | IllegalArgumentException e) {
            log.debug("no cubin of the {} to place its globals in: {}", image.kind(), e.getMessage());
            return null;
        }
        try {
            return new Prepared(cubin, CubinGlobals.read(cubin));
        } catch (UnplaceableGlobalsException e) {
            log.info("the {}'s globals stay where the driver puts them: {}", image.kind(), e.getMessage());
            return new Prepared(cubin, null);
        }
    }

    /** Loads {@code code}, the given globals (undefined in it) at the given addresses. */
    private CudaModule loadCode(ModuleImage image, byte[] code, List<String> names, List<Long> addresses)
            throws CudaException {
        Arena arena = Arena.ofShared();
        boolean loaded = false;
        try {
            MemorySegment native_ = arena.allocate(code.length, 64);
            MemorySegment.copy(code, 0, native_, JAVA_BYTE, 0, code.length);
            MemorySegment log = arena.allocate(ERROR_LOG_BYTES);
            int count = names.isEmpty() ? 2 : 5;
            MemorySegment options = arena.allocateFrom(JAVA_INT, JIT_ERROR_LOG_BUFFER, JIT_ERROR_LOG_BUFFER_SIZE,
                    JIT_GLOBAL_SYMBOL_NAMES, JIT_GLOBAL_SYMBOL_ADDRESSES, JIT_GLOBAL_SYMBOL_COUNT);
            MemorySegment values = arena.allocate(ADDRESS, 5);
            values.setAtIndex(ADDRESS, 0, log);
            values.setAtIndex(ADDRESS, 1, MemorySegment.ofAddress(ERROR_LOG_BYTES));
            MemorySegment nameArray = arena.allocate(ADDRESS, Math.max(1, names.size()));
            MemorySegment addressArray = arena.allocate(JAVA_LONG, Math.max(1, names.size()));
            for (int i = 0; i < names.size(); i++) {
                nameArray.setAtIndex(ADDRESS, i, arena.allocateFrom(names.get(i)));
                addressArray.setAtIndex(JAVA_LONG, i, addresses.get(i));
            }
            values.setAtIndex(ADDRESS, 2, nameArray);
            values.setAtIndex(ADDRESS, 3, addressArray);
            values.setAtIndex(ADDRESS, 4, MemorySegment.ofAddress(names.size()));
            int rc = driver.moduleLoadDataEx(out, native_, count, options, values);
            if (rc != CuResult.SUCCESS) {
                String jitLog = log.getString(0).strip();
                throw driver.error(rc, "cuModuleLoadDataEx(" + image.kind() + ", " + code.length + " bytes"
                        + (names.isEmpty() ? "" : ", " + names.size() + " globals placed") + ")"
                        + (jitLog.isEmpty() ? "" : ": " + jitLog));
            }
            loaded = true;
            return new CudaModule(out.get(JAVA_LONG, 0), image, arena);
        } finally {
            if (!loaded) {
                arena.close();
            }
        }
    }

    void unload(DeviceModule handle) throws CudaException {
        CudaModule module = module(handle);
        modules.remove(module);
        functions.removeAll(module.functions.values());
        for (AddressRange global : module.globals.values()) {
            globals.remove(global.base());
        }
        for (AddressRange global : module.placed.values()) {
            globals.remove(global.base());
        }
        int rc = driver.moduleUnload(module.handle);
        module.imageArena.close();
        if (module.block != 0) {
            blocks.remove(module.block);
            region.free(module.block);
        }
        driver.check(rc, "cuModuleUnload");
    }

    /** The kernel {@code name}, looked up once per module; {@code CUDA_ERROR_NOT_FOUND} when absent. */
    CudaFunction function(DeviceModule handle, String name) throws CudaException {
        CudaModule module = module(handle);
        CudaFunction known = module.functions.get(name);
        if (known != null) {
            return known;
        }
        try (Arena arena = Arena.ofConfined()) {
            driver.check(driver.moduleGetFunction(out, module.handle, arena.allocateFrom(name)),
                    "cuModuleGetFunction(\"" + name + "\")");
        }
        long f = out.get(JAVA_LONG, 0);
        CudaFunction function = new CudaFunction(f, module, name, layout(f, module, name));
        module.functions.put(name, function);
        functions.add(function);
        return function;
    }

    private ParamLayout layout(long function, CudaModule module, String name) throws CudaException {
        if (driver.hasParamInfo()) {
            List<int[]> params = new ArrayList<>();
            for (int i = 0; i < MAX_PARAMS; i++) {
                int rc = driver.funcGetParamInfo(function, i, out, out2);
                if (rc == CuResult.INVALID_VALUE) {
                    return ParamLayout.of(params);
                }
                driver.check(rc, "cuFuncGetParamInfo(\"" + name + "\", " + i + ")");
                params.add(new int[] {(int) out.get(JAVA_LONG, 0), (int) out2.get(JAVA_LONG, 0)});
            }
            throw new CudaException(CuResult.UNKNOWN, "cuFuncGetParamInfo(\"" + name + "\") reports more than "
                    + MAX_PARAMS + " parameters");
        }
        if (module.image.kind() == ModuleImage.Kind.PTX) {
            try {
                return PtxEntryParams.parse(module.image.ptxText(), name).orElseThrow(() -> new IllegalArgumentException(
                        "the PTX has no .entry " + name));
            } catch (IllegalArgumentException e) {
                throw new CudaException(CuResult.NOT_SUPPORTED, "parameter layout of " + name + ": " + e.getMessage());
            }
        }
        throw new CudaException(CuResult.NOT_SUPPORTED, "parameter layout of " + name + ": the driver ("
                + driver.origin() + ") lacks cuFuncGetParamInfo (CUDA 12.4+) and the module is a "
                + module.image.kind() + ", not PTX");
    }

    /** A module-scope variable, remembered so that {@link #globalContaining} finds it. */
    AddressRange global(DeviceModule handle, String name) throws CudaException {
        CudaModule module = module(handle);
        AddressRange placed = module.placed.get(name);
        if (placed != null) {
            return placed; // the driver does not know a global it did not place
        }
        try (Arena arena = Arena.ofConfined()) {
            driver.check(driver.moduleGetGlobal(out, out2, module.handle, arena.allocateFrom(name)),
                    "cuModuleGetGlobal(\"" + name + "\")");
        }
        AddressRange range = new AddressRange(out.get(JAVA_LONG, 0), out2.get(JAVA_LONG, 0));
        module.globals.put(name, range);
        globals.put(range.base(), range);
        return range;
    }

    /** The block holding the module's placed globals, or null: the driver placed them. */
    AddressRange globalsBlock(DeviceModule handle) throws CudaException {
        CudaModule module = module(handle);
        return module.block == 0 ? null : new AddressRange(module.block, module.blockSize);
    }

    /** The block of placed globals that contains {@code address}, or null. */
    AddressRange blockContaining(long address) {
        Map.Entry<Long, AddressRange> e = blocks.floorEntry(address);
        return e != null && e.getValue().contains(address, 1) ? e.getValue() : null;
    }

    /** The global looked up earlier (or placed) that contains {@code address}, or null. */
    AddressRange globalContaining(long address) {
        Map.Entry<Long, AddressRange> e = globals.floorEntry(address);
        return e != null && e.getValue().contains(address, 1) ? e.getValue() : null;
    }

    int attribute(DeviceFunction handle, int attribute) throws CudaException {
        CudaFunction function = function(handle);
        driver.check(driver.funcGetAttribute(out, attribute, function.handle),
                "cuFuncGetAttribute(" + function.name() + ", " + attribute + ")");
        return out.get(JAVA_INT, 0);
    }

    void setAttribute(DeviceFunction handle, int attribute, int value) throws CudaException {
        CudaFunction function = function(handle);
        driver.check(driver.funcSetAttribute(function.handle, attribute, value),
                "cuFuncSetAttribute(" + function.name() + ", " + attribute + ", " + value + ")");
    }

    /** The live function behind {@code handle}; {@code CUDA_ERROR_INVALID_HANDLE} for any other. */
    CudaFunction function(DeviceFunction handle) throws CudaException {
        if (handle instanceof CudaFunction f && functions.contains(f)) {
            return f;
        }
        throw new CudaException(CuResult.INVALID_HANDLE, "not a live function of this backend: " + handle);
    }

    private CudaModule module(DeviceModule handle) throws CudaException {
        if (handle instanceof CudaModule m && modules.contains(m)) {
            return m;
        }
        throw new CudaException(CuResult.INVALID_HANDLE, "not a loaded module of this backend: " + handle);
    }

    /** Unloads every module; failures are ignored (the context is going away). */
    @Override
    public void close() {
        for (CudaModule module : modules) {
            driver.moduleUnload(module.handle);
            module.imageArena.close();
        }
        modules.clear();
        functions.clear();
        globals.clear();
        blocks.clear();
        region.close();
    }
}
