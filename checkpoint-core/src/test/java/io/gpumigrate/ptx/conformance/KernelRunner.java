package io.gpumigrate.ptx.conformance;

import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceBackend;
import io.gpumigrate.device.DeviceFunction;
import io.gpumigrate.device.DeviceModule;
import io.gpumigrate.device.LaunchConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Runs conformance kernels on a backend with as little ceremony as a CUDA test program:
 * load a module from {@code conformance/NAME.ptx}, upload arrays, launch with plain Java
 * arguments, download results. Every launch synchronizes, so a kernel's errors surface from
 * {@link #launch}. Not thread-safe (neither is a backend); {@link #close()} frees host staging.
 */
final class KernelRunner implements AutoCloseable {

    private final DeviceBackend backend;
    private final Arena arena = Arena.ofConfined();

    KernelRunner(DeviceBackend backend) {
        this.backend = backend;
    }

    /** The PTX text of {@code conformance/NAME.ptx} (or of a path below it, such as {@code handwritten/x}). */
    static byte[] ptx(String name) {
        return resource(name + ".ptx");
    }

    /** The bytes of {@code conformance/FILE}: PTX, or a fat binary nvcc built. */
    static byte[] resource(String file) {
        String path = "/conformance/" + file;
        try (InputStream in = KernelRunner.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException(path + " is not on the test class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    DeviceModule load(String name) throws CudaException {
        return backend.loadModule(ptx(name));
    }

    DeviceFunction kernel(DeviceModule module, String name) throws CudaException {
        return backend.function(module, name);
    }

    /** Loads module {@code moduleName} and returns its kernel {@code kernelName}. */
    DeviceFunction kernel(String moduleName, String kernelName) throws CudaException {
        return backend.function(load(moduleName), kernelName);
    }

    /** Packs {@code args} per the kernel's parameter layout, launches on the default stream and waits. */
    void launch(DeviceFunction kernel, LaunchConfig config, Object... args) throws CudaException {
        try (Arena params = Arena.ofConfined()) {
            backend.launch(kernel, config, ParamPacker.pack(kernel, params, args), null);
        }
        backend.synchronize();
    }

    static LaunchConfig grid(int blocks, int threadsPerBlock) {
        return new LaunchConfig(blocks, 1, 1, threadsPerBlock, 1, 1, 0);
    }

    static LaunchConfig grid(int blocks, int threadsPerBlock, int dynamicSharedBytes) {
        return new LaunchConfig(blocks, 1, 1, threadsPerBlock, 1, 1, dynamicSharedBytes);
    }

    /** Device memory of {@code bytes}, zero-filled. */
    long alloc(long bytes) throws CudaException {
        long p = backend.memAlloc(bytes);
        backend.memset(p, 0, 1, bytes, null);
        return p;
    }

    long upload(MemorySegment host) throws CudaException {
        long p = backend.memAlloc(Math.max(1, host.byteSize()));
        if (host.byteSize() > 0) {
            backend.copyHtoD(p, host, null);
        }
        return p;
    }

    long upload(byte[] v) throws CudaException {
        return upload(arena.allocateFrom(ValueLayout.JAVA_BYTE, v));
    }

    long upload(short[] v) throws CudaException {
        return upload(arena.allocateFrom(ValueLayout.JAVA_SHORT, v));
    }

    long upload(int[] v) throws CudaException {
        return upload(arena.allocateFrom(ValueLayout.JAVA_INT, v));
    }

    long upload(long[] v) throws CudaException {
        return upload(arena.allocateFrom(ValueLayout.JAVA_LONG, v));
    }

    long upload(float[] v) throws CudaException {
        return upload(arena.allocateFrom(ValueLayout.JAVA_FLOAT, v));
    }

    long upload(double[] v) throws CudaException {
        return upload(arena.allocateFrom(ValueLayout.JAVA_DOUBLE, v));
    }

    /** Copies {@code bytes} of device memory at {@code dptr} into a fresh host segment. */
    MemorySegment download(long dptr, long bytes) throws CudaException {
        MemorySegment host = arena.allocate(bytes, 8);
        backend.copyDtoH(host, dptr, null);
        return host;
    }

    byte[] bytes(long dptr, int count) throws CudaException {
        return download(dptr, count).toArray(ValueLayout.JAVA_BYTE);
    }

    short[] shorts(long dptr, int count) throws CudaException {
        return download(dptr, 2L * count).toArray(ValueLayout.JAVA_SHORT);
    }

    int[] ints(long dptr, int count) throws CudaException {
        return download(dptr, 4L * count).toArray(ValueLayout.JAVA_INT);
    }

    long[] longs(long dptr, int count) throws CudaException {
        return download(dptr, 8L * count).toArray(ValueLayout.JAVA_LONG);
    }

    float[] floats(long dptr, int count) throws CudaException {
        return download(dptr, 4L * count).toArray(ValueLayout.JAVA_FLOAT);
    }

    double[] doubles(long dptr, int count) throws CudaException {
        return download(dptr, 8L * count).toArray(ValueLayout.JAVA_DOUBLE);
    }

    DeviceBackend backend() {
        return backend;
    }

    @Override
    public void close() {
        arena.close();
    }
}
