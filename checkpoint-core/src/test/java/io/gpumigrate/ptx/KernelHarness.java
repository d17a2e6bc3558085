package io.gpumigrate.ptx;

import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceFunction;
import io.gpumigrate.device.DeviceModule;
import io.gpumigrate.device.LaunchConfig;
import io.gpumigrate.device.ParamLayout;
import io.gpumigrate.device.emulator.EmulatorBackend;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Loads a PTX resource into an emulator and moves arrays in and out; for interpreter tests. Not thread-safe. */
final class KernelHarness implements AutoCloseable {

    final EmulatorBackend backend;
    final Arena arena = Arena.ofConfined();
    final DeviceModule module;

    KernelHarness(String resource, int workers) throws IOException, CudaException {
        backend = new EmulatorBackend(1L << 30, workers);
        module = backend.loadModule(resource(resource));
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = KernelHarness.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException(name + " is not on the test class path");
            }
            return in.readAllBytes();
        }
    }

    long ints(int... values) throws CudaException {
        MemorySegment s = arena.allocate(4L * Math.max(1, values.length));
        MemorySegment.copy(values, 0, s, ValueLayout.JAVA_INT, 0, values.length);
        return upload(s);
    }

    long floats(float... values) throws CudaException {
        MemorySegment s = arena.allocate(4L * Math.max(1, values.length));
        MemorySegment.copy(values, 0, s, ValueLayout.JAVA_FLOAT, 0, values.length);
        return upload(s);
    }

    long shorts(short... values) throws CudaException {
        MemorySegment s = arena.allocate(2L * Math.max(1, values.length));
        MemorySegment.copy(values, 0, s, ValueLayout.JAVA_SHORT, 0, values.length);
        return upload(s);
    }

    short[] readShorts(long d, int n) throws CudaException {
        MemorySegment s = arena.allocate(2L * n);
        backend.copyDtoH(s, d, null);
        return s.toArray(ValueLayout.JAVA_SHORT);
    }

    long bytes(byte... values) throws CudaException {
        MemorySegment s = arena.allocate(Math.max(1, values.length));
        MemorySegment.copy(values, 0, s, ValueLayout.JAVA_BYTE, 0, values.length);
        return upload(s);
    }

    long zeros(long bytes) throws CudaException {
        long d = backend.memAlloc(bytes);
        backend.memset(d, 0, 1, bytes, null);
        return d;
    }

    private long upload(MemorySegment s) throws CudaException {
        long d = backend.memAlloc(s.byteSize());
        backend.copyHtoD(d, s, null);
        return d;
    }

    int[] readInts(long d, int n) throws CudaException {
        MemorySegment s = arena.allocate(4L * n);
        backend.copyDtoH(s, d, null);
        return s.toArray(ValueLayout.JAVA_INT);
    }

    float[] readFloats(long d, int n) throws CudaException {
        MemorySegment s = arena.allocate(4L * n);
        backend.copyDtoH(s, d, null);
        return s.toArray(ValueLayout.JAVA_FLOAT);
    }

    long[] readLongs(long d, int n) throws CudaException {
        MemorySegment s = arena.allocate(8L * n);
        backend.copyDtoH(s, d, null);
        return s.toArray(ValueLayout.JAVA_LONG);
    }

    double[] readDoubles(long d, int n) throws CudaException {
        MemorySegment s = arena.allocate(8L * n);
        backend.copyDtoH(s, d, null);
        return s.toArray(ValueLayout.JAVA_DOUBLE);
    }

    /** Launches with arguments packed per the kernel's layout: Long (pointers, 64-bit), Integer, Float, Double. */
    void launch(String kernel, LaunchConfig config, Object... args) throws CudaException {
        DeviceFunction f = backend.function(module, kernel);
        ParamLayout layout = f.params();
        MemorySegment params = arena.allocate(Math.max(8, layout.bufferSize()), 8);
        for (int i = 0; i < args.length; i++) {
            long at = layout.offset(i);
            switch (args[i]) {
                case Long v -> params.set(ValueLayout.JAVA_LONG_UNALIGNED, at, v);
                case Integer v -> params.set(ValueLayout.JAVA_INT_UNALIGNED, at, v);
                case Float v -> params.set(ValueLayout.JAVA_FLOAT_UNALIGNED, at, v);
                case Double v -> params.set(ValueLayout.JAVA_DOUBLE_UNALIGNED, at, v);
                default -> throw new IllegalArgumentException("unsupported argument " + args[i]);
            }
        }
        backend.launch(f, config, params, null);
    }

    static LaunchConfig grid(int blocks, int threads) {
        return new LaunchConfig(blocks, 1, 1, threads, 1, 1, 0);
    }

    @Override
    public void close() {
        backend.close();
        arena.close();
    }
}
