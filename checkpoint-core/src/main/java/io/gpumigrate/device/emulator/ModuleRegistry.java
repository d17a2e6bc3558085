package io.gpumigrate.device.emulator;

import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceFunction;
import io.gpumigrate.device.DeviceModule;
import io.gpumigrate.ptx.FatbinReader;
import io.gpumigrate.ptx.KernelCompiler;
import io.gpumigrate.ptx.PtxFunction;
import io.gpumigrate.ptx.PtxModule;
import io.gpumigrate.ptx.PtxParser;
import io.gpumigrate.ptx.PtxSyntaxException;
import io.gpumigrate.ptx.PtxVariable;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The modules loaded into one {@link EmulatorBackend}: loading (PTX text or the PTX inside a
 * fat binary), placing each module's globals in one block of device memory, and function attributes. Launching
 * is {@link KernelLauncher}'s. Not thread-safe (the session's thread).
 */
final class ModuleRegistry {

    private static final int ELF_MAGIC = 0x464C457F;
    /** The most a variable's alignment can ask within a block (whose base is 512-aligned). */
    private static final long MAX_ALIGN = DeviceAddressSpace.ALIGNMENT;
    /** What a module's block of globals is called in the address space (non-null: not the client's memory). */
    private static final String BLOCK_LABEL = "module globals";

    private final EmulatorBackend owner;
    private final DeviceAddressSpace memory;
    private final List<EmulatedModule> loaded = new ArrayList<>();
    private final boolean placesGlobals;

    /**
     * @param placesGlobals whether a module's block of globals can be placed at a given address and
     *                      is told to the session ({@link #globalsBlock}); false stands for a device
     *                      whose driver places them itself
     */
    ModuleRegistry(EmulatorBackend owner, DeviceAddressSpace memory, boolean placesGlobals) {
        this.owner = owner;
        this.memory = memory;
        this.placesGlobals = placesGlobals;
    }

    /**
     * Loads a module, its globals (and {@code .const} variables) laid out in one block of device
     * memory, in declaration order, each at its alignment: the block at {@code globalsAt} when
     * non-zero (a restore re-creating the module where it was), else at the lowest free address
     * from the globals base. The block holds the initial values either way.
     */
    DeviceModule load(byte[] image, long globalsAt) throws CudaException {
        if (globalsAt != 0 && !placesGlobals) {
            throw new CudaException(CuResult.NOT_SUPPORTED, "this emulated device places module globals itself (from"
                    + " its globals base); it cannot put them at 0x" + Long.toHexString(globalsAt));
        }
        String text = ptxText(image);
        PtxModule ptx;
        try {
            ptx = PtxParser.parse(text);
        } catch (PtxSyntaxException e) {
            throw new CudaException(CuResult.INVALID_PTX, e.getMessage(), e);
        }
        long constBytes = 0;
        Map<String, Long> offsets = new LinkedHashMap<>();
        long blockSize = 0;
        for (PtxVariable v : ptx.variables()) {
            if ((v.space().equals("global") || v.space().equals("const")) && !v.external() && v.elements() > 0) {
                long offset = DeviceAddressSpace.roundUp(blockSize, Math.min(Math.max(1, v.align()), MAX_ALIGN));
                offsets.put(v.name(), offset);
                blockSize = offset + Math.max(1, v.byteSize());
                constBytes += v.space().equals("const") ? v.byteSize() : 0;
            }
        }
        EmulatedModule module = new EmulatedModule(owner, ptx);
        try {
            Map<String, Long> addresses = new HashMap<>();
            if (blockSize > 0) {
                module.block = globalsAt != 0 ? memory.allocateAt(globalsAt, blockSize, BLOCK_LABEL)
                        : memory.allocate(blockSize, BLOCK_LABEL);
            }
            for (PtxVariable v : ptx.variables()) {
                Long offset = offsets.get(v.name());
                if (offset == null) {
                    continue;
                }
                module.globals.put(v.name(), new AddressRange(module.block.base() + offset, Math.max(1, v.byteSize())));
                addresses.put(v.name(), module.block.base() + offset);
                if (v.init() != null) {
                    module.block.write(offset, MemorySegment.ofArray(v.init()), 0, Math.min(v.init().length, v.byteSize()));
                }
            }
            for (PtxVariable v : ptx.variables()) {
                Long offset = offsets.get(v.name());
                for (PtxVariable.Relocation r : v.relocations()) {
                    Long target = addresses.get(r.symbol());
                    long value = target != null ? target : KernelCompiler.functionAddress(ptx, r.symbol());
                    if (value < 0) {
                        throw new PtxSyntaxException(v.line(), "initializer of " + v.name() + " refers to unknown symbol "
                                + r.symbol());
                    }
                    if (offset != null && r.offset() + r.size() <= Math.max(1, v.byteSize())) {
                        byte[] bytes = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                                .putLong(value + r.addend()).array();
                        module.block.write(offset + r.offset(), MemorySegment.ofArray(bytes), 0, r.size());
                    }
                }
            }
            KernelCompiler compiler = new KernelCompiler(ptx, addresses);
            for (PtxFunction f : ptx.functions()) {
                if (f.entry() && f.body() != null) {
                    module.functions.put(f.name(), new EmulatedFunction(module, compiler.compile(f)));
                }
            }
        } catch (PtxSyntaxException e) {
            releaseGlobals(module);
            throw new CudaException(CuResult.INVALID_PTX, e.getMessage(), e);
        } catch (CudaException e) {
            releaseGlobals(module);
            throw e;
        }
        module.constBytes = constBytes;
        loaded.add(module);
        return module;
    }

    /** The PTX text of an image: the text itself, or the newest PTX entry of a fat binary. */
    private static String ptxText(byte[] image) throws CudaException {
        if (image.length >= 4 && (image[0] & 0xFF | (image[1] & 0xFF) << 8 | (image[2] & 0xFF) << 16
                | (image[3] & 0xFF) << 24) == ELF_MAGIC) {
            throw new CudaException(CuResult.NO_BINARY_FOR_GPU, "the image is a cubin (machine code); the emulator"
                    + " runs PTX only: load PTX or a fat binary that embeds it (nvcc -gencode arch=compute_90,code=compute_90)");
        }
        if (FatbinReader.isFatbin(image)) {
            List<FatbinReader.PtxEntry> entries;
            try {
                entries = FatbinReader.ptxEntries(image);
            } catch (PtxSyntaxException e) {
                throw new CudaException(CuResult.INVALID_IMAGE, e.getMessage(), e);
            }
            if (entries.isEmpty()) {
                throw new CudaException(CuResult.NO_BINARY_FOR_GPU, "the fat binary holds only cubins (machine code);"
                        + " the emulator runs PTX only: rebuild with -gencode arch=compute_90,code=compute_90");
            }
            FatbinReader.PtxEntry best = entries.get(0);
            for (FatbinReader.PtxEntry e : entries) {
                if (e.arch() > best.arch()) {
                    best = e;
                }
            }
            return best.text();
        }
        int n = image.length;
        while (n > 0 && image[n - 1] == 0) {
            n--;
        }
        String text = new String(image, 0, n, StandardCharsets.UTF_8);
        if (!text.contains(".version") || !text.contains(".target")) {
            throw new CudaException(CuResult.INVALID_IMAGE, "the image is neither PTX text (no .version/.target),"
                    + " a fat binary nor a cubin (" + image.length + " bytes)");
        }
        return text;
    }

    void unload(DeviceModule module) throws CudaException {
        EmulatedModule m = check(module);
        m.unloaded = true;
        loaded.remove(m);
        releaseGlobals(m);
    }

    private void releaseGlobals(EmulatedModule m) {
        if (m.block != null) {
            memory.release(m.block);
            m.block = null;
        }
    }

    /** The block holding the module's globals; null when it has none. */
    AddressRange globalsBlock(DeviceModule module) throws CudaException {
        DeviceAllocation block = check(module).block;
        return block == null || !placesGlobals ? null : new AddressRange(block.base(), block.size());
    }

    DeviceFunction function(DeviceModule module, String name) throws CudaException {
        EmulatedFunction f = check(module).functions.get(name);
        if (f == null) {
            throw new CudaException(CuResult.NOT_FOUND, "no kernel named '" + name + "' in " + module);
        }
        return f;
    }

    AddressRange global(DeviceModule module, String name) throws CudaException {
        AddressRange range = check(module).globals.get(name);
        if (range == null) {
            throw new CudaException(CuResult.NOT_FOUND, "no .global or .const variable named '" + name + "' in the module");
        }
        return range;
    }

    int functionAttribute(DeviceFunction function, int attribute) throws CudaException {
        EmulatedFunction f = checkFunction(function);
        return switch (attribute) {
            case 0 -> f.kernel.maxThreads() > 0 ? Math.min(f.kernel.maxThreads(), EmulatedDeviceProperties.MAX_THREADS_PER_BLOCK)
                    : EmulatedDeviceProperties.MAX_THREADS_PER_BLOCK;
            case 1 -> f.kernel.staticShared();
            case 2 -> (int) f.module.constBytes;
            case 3 -> f.kernel.localBytes();
            case 4 -> f.kernel.declaredRegisters();
            case 5, 6 -> attribute == 5 ? f.module.ptxVersion() : 90;
            case 7 -> 0;
            case 8 -> f.maxDynamicShared;
            case 9 -> f.carveout;
            case 10, 11, 12, 13, 14, 15 -> 0;
            default -> throw new CudaException(CuResult.INVALID_VALUE, "unknown function attribute " + attribute
                    + " (CUfunction_attribute 0..15)");
        };
    }

    void setFunctionAttribute(DeviceFunction function, int attribute, int value) throws CudaException {
        EmulatedFunction f = checkFunction(function);
        switch (attribute) {
            case 8 -> {
                int limit = EmulatedDeviceProperties.SHARED_PER_BLOCK_OPTIN - f.kernel.staticShared();
                if (value < 0 || value > limit) {
                    throw new CudaException(CuResult.INVALID_VALUE, "max dynamic shared memory " + value
                            + " out of range 0.." + limit);
                }
                f.maxDynamicShared = value;
            }
            case 9 -> {
                if (value < -1 || value > 100) {
                    throw new CudaException(CuResult.INVALID_VALUE, "shared memory carveout " + value + " out of range -1..100");
                }
                f.carveout = value;
            }
            case 10, 11, 12, 13, 14, 15 -> { }
            default -> throw new CudaException(CuResult.INVALID_VALUE, "function attribute " + attribute
                    + " cannot be set (settable: 8, 9, 10..15)");
        }
    }

    EmulatedFunction checkFunction(DeviceFunction function) throws CudaException {
        if (!(function instanceof EmulatedFunction f) || f.module.owner != owner || f.module.unloaded) {
            throw new CudaException(CuResult.INVALID_HANDLE, "not a function of a loaded module of this emulator: " + function);
        }
        return f;
    }

    private EmulatedModule check(DeviceModule module) throws CudaException {
        if (!(module instanceof EmulatedModule m) || m.owner != owner || m.unloaded) {
            throw new CudaException(CuResult.INVALID_HANDLE, "not a loaded module of this emulator: " + module);
        }
        return m;
    }

    void clear() {
        for (EmulatedModule m : loaded) {
            m.unloaded = true;
        }
        loaded.clear();
    }
}
