package io.gpumigrate.worker;

import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceFunction;
import io.gpumigrate.device.DeviceModule;
import io.gpumigrate.device.LaunchConfig;
import io.gpumigrate.device.ParamLayout;
import io.gpumigrate.protocol.BodyReader;
import io.gpumigrate.protocol.BodyWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;

import static io.gpumigrate.worker.HandleTable.Kind.FUNCTION;
import static io.gpumigrate.worker.HandleTable.Kind.MODULE;

/**
 * Modules, their functions and globals, and kernel launches. A function asked for twice gets
 * the same handle, as {@code cuModuleGetFunction} returns the same {@code CUfunction};
 * unloading a module retires its functions' handles.
 *
 * <p>Not thread-safe: session executor only.
 */
final class ModuleCalls {

    /** A function handle's object: the function and the module it belongs to. */
    private record LoadedFunction(long module, DeviceFunction function) {
    }

    private final SessionResources session;
    private final Map<String, Long> functionHandles = new HashMap<>();

    ModuleCalls(SessionResources session) {
        this.session = session;
    }

    void load(BodyReader in, ByteBuf out) throws CudaException {
        byte[] image = ByteBufUtil.getBytes(in.rest());
        if (image.length == 0) {
            throw new CudaException(CuResult.INVALID_VALUE, "MODULE_LOAD with an empty image");
        }
        DeviceModule module = session.loadModule(image);
        new BodyWriter(out).u64(session.handles().add(MODULE, module));
    }

    void unload(BodyReader in) throws CudaException {
        long handle = in.u64();
        DeviceModule module = session.handles().get(handle, MODULE, DeviceModule.class);
        session.backend().unloadModule(module);
        session.handles().forget(handle);
        for (long fn : session.handles().handlesOf(FUNCTION,
                o -> o instanceof LoadedFunction f && f.module() == handle)) {
            session.handles().forget(fn);
        }
        functionHandles.keySet().removeIf(key -> key.startsWith(handle + "/"));
    }

    void function(BodyReader in, ByteBuf out) throws CudaException {
        long moduleHandle = in.u64();
        String name = in.str();
        DeviceModule module = session.handles().get(moduleHandle, MODULE, DeviceModule.class);
        String key = moduleHandle + "/" + name;
        Long handle = functionHandles.get(key);
        DeviceFunction function;
        if (handle != null) {
            function = session.handles().get(handle, FUNCTION, LoadedFunction.class).function();
        } else {
            function = session.backend().function(module, name);
            handle = session.handles().add(FUNCTION, new LoadedFunction(moduleHandle, function));
            functionHandles.put(key, handle);
        }
        ParamLayout params = function.params();
        BodyWriter w = new BodyWriter(out).u64(handle).u32(params.count());
        for (int i = 0; i < params.count(); i++) {
            w.u32(params.offset(i)).u32(params.size(i));
        }
    }

    void global(BodyReader in, ByteBuf out) throws CudaException {
        DeviceModule module = session.handles().get(in.u64(), MODULE, DeviceModule.class);
        AddressRange range = session.backend().global(module, in.str());
        new BodyWriter(out).u64(range.base()).u64(range.size());
    }

    void getAttribute(BodyReader in, ByteBuf out) throws CudaException {
        DeviceFunction function = function(in.u64());
        int value = session.backend().functionAttribute(function, in.i32());
        new BodyWriter(out).i32(value);
    }

    void setAttribute(BodyReader in) throws CudaException {
        DeviceFunction function = function(in.u64());
        int attribute = in.i32();
        session.backend().setFunctionAttribute(function, attribute, in.i32());
    }

    void launch(BodyReader in) throws CudaException {
        DeviceFunction function = function(in.u64());
        int[] dims = new int[7];
        for (int i = 0; i < dims.length; i++) {
            long v = in.u32();
            boolean isSharedMem = i == 6;
            if (v > Integer.MAX_VALUE || (!isSharedMem && v == 0)) {
                throw new CudaException(CuResult.INVALID_VALUE, "LAUNCH_KERNEL " + DIM_NAMES[i] + " " + v
                        + " outside [" + (isSharedMem ? 0 : 1) + ", " + Integer.MAX_VALUE + "]");
            }
            dims[i] = (int) v;
        }
        var stream = session.stream(in.u64());
        ByteBuf params = in.bytes(in.u32());
        LaunchConfig config = new LaunchConfig(dims[0], dims[1], dims[2], dims[3], dims[4], dims[5], dims[6]);
        session.backend().launch(function, config, MemorySegment.ofBuffer(params.nioBuffer()), stream);
    }

    private static final String[] DIM_NAMES = {"gridX", "gridY", "gridZ", "blockX", "blockY", "blockZ", "sharedMemBytes"};

    private DeviceFunction function(long handle) throws CudaException {
        return session.handles().get(handle, FUNCTION, LoadedFunction.class).function();
    }
}
