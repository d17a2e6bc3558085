package io.gpumigrate.device.cuda;

import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceFunction;
import io.gpumigrate.device.DeviceModule;
import io.gpumigrate.device.ParamLayout;

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
 * globals looked up in them. Accepts only handles it created and has not unloaded.
 *
 * <p>Not thread-safe: called on the session's thread with the context current.
 */
final class CudaModules implements AutoCloseable {

    /** {@code CU_JIT_ERROR_LOG_BUFFER} and {@code CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES}. */
    private static final int JIT_ERROR_LOG_BUFFER = 5;
    private static final int JIT_ERROR_LOG_BUFFER_SIZE = 6;
    private static final int ERROR_LOG_BYTES = 16 * 1024;
    /** More parameters than fit in CUDA's 32764-byte parameter space: a sign the query never ends. */
    private static final int MAX_PARAMS = 32768;

    private final CudaDriver driver;
    private final MemorySegment out;
    private final MemorySegment out2;
    private final Set<CudaModule> modules = new HashSet<>();
    private final Set<CudaFunction> functions = new HashSet<>();
    private final TreeMap<Long, AddressRange> globals = new TreeMap<>();

    CudaModules(CudaDriver driver, Arena arena) {
        this.driver = driver;
        this.out = arena.allocate(JAVA_LONG);
        this.out2 = arena.allocate(JAVA_LONG);
    }

    /** Loads PTX, a cubin or a fat binary; a JIT error's log becomes part of the exception's message. */
    CudaModule load(byte[] bytes) throws CudaException {
        if (bytes == null || bytes.length == 0) {
            throw new CudaException(CuResult.INVALID_IMAGE, "module image is empty");
        }
        ModuleImage image = ModuleImage.of(bytes);
        Arena arena = Arena.ofShared();
        MemorySegment code = arena.allocate(image.bytes().length, 64);
        MemorySegment.copy(image.bytes(), 0, code, JAVA_BYTE, 0, image.bytes().length);
        MemorySegment log = arena.allocate(ERROR_LOG_BYTES);
        MemorySegment options = arena.allocateFrom(JAVA_INT, JIT_ERROR_LOG_BUFFER, JIT_ERROR_LOG_BUFFER_SIZE);
        MemorySegment values = arena.allocate(ADDRESS, 2);
        values.setAtIndex(ADDRESS, 0, log);
        values.setAtIndex(ADDRESS, 1, MemorySegment.ofAddress(ERROR_LOG_BYTES));
        int rc = driver.moduleLoadDataEx(out, code, 2, options, values);
        if (rc != CuResult.SUCCESS) {
            String jitLog = log.getString(0).strip();
            arena.close();
            throw driver.error(rc, "cuModuleLoadDataEx(" + image.kind() + ", " + bytes.length + " bytes)"
                    + (jitLog.isEmpty() ? "" : ": " + jitLog));
        }
        CudaModule module = new CudaModule(out.get(JAVA_LONG, 0), image, arena);
        modules.add(module);
        return module;
    }

    void unload(DeviceModule handle) throws CudaException {
        CudaModule module = module(handle);
        modules.remove(module);
        functions.removeAll(module.functions.values());
        for (AddressRange global : module.globals.values()) {
            globals.remove(global.base());
        }
        int rc = driver.moduleUnload(module.handle);
        module.imageArena.close();
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
        try (Arena arena = Arena.ofConfined()) {
            driver.check(driver.moduleGetGlobal(out, out2, module.handle, arena.allocateFrom(name)),
                    "cuModuleGetGlobal(\"" + name + "\")");
        }
        AddressRange range = new AddressRange(out.get(JAVA_LONG, 0), out2.get(JAVA_LONG, 0));
        module.globals.put(name, range);
        globals.put(range.base(), range);
        return range;
    }

    /** The global looked up earlier that contains {@code address}, or null. */
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
    }
}
