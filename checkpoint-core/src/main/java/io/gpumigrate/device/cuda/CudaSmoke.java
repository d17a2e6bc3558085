package io.gpumigrate.device.cuda;

import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceEvent;
import io.gpumigrate.device.DeviceFunction;
import io.gpumigrate.device.DeviceModule;
import io.gpumigrate.device.DeviceStream;
import io.gpumigrate.device.LaunchConfig;
import io.gpumigrate.device.MemInfo;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A one-call check of the CUDA backend on a real GPU: placement at the window base, 256 MiB
 * copy round trips with their bandwidth, a PTX kernel, the asynchronous launch rate, the
 * launch + synchronize round trip and event timing. Prints one line per check,
 * {@code PASS name: numbers} or {@code FAIL name: reason}, and exits 1 if any failed.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp checkpoint-core/target/classes io.gpumigrate.device.cuda.CudaSmoke [ordinal]</pre>
 */
public final class CudaSmoke {

    private static final long COPY_BYTES = 256L << 20;
    private static final int ASYNC_LAUNCHES = 100_000;
    /** Enough for the JIT to compile the launch path before it is timed. */
    private static final int WARMUP_LAUNCHES = 50_000;
    private static final int ROUND_TRIPS = 2_000;
    private static final int COPY_REPEATS = 5;

    private final CudaBackend backend;
    private final Arena arena = Arena.ofShared();
    private int failures;

    private CudaSmoke(CudaBackend backend) {
        this.backend = backend;
    }

    public static void main(String[] args) throws Exception {
        int ordinal = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        if (!CudaBackend.available()) {
            System.out.println("FAIL driver: " + CudaBackend.unavailableReason());
            System.exit(1);
        }
        long t0 = System.nanoTime();
        CudaSmoke smoke;
        try {
            smoke = new CudaSmoke(CudaBackend.open(ordinal));
        } catch (CudaException e) {
            System.out.println("FAIL open: " + e.getMessage());
            System.exit(1);
            return;
        }
        CudaBackend b = smoke.backend;
        System.out.printf("PASS open: %s, driver %d, window 0x%x + %d GiB, granularity %d KiB, %.0f ms%n",
                b.properties().name(), b.properties().driverVersion(), b.windowBase(), b.windowSize() >> 30,
                b.granularity() >> 10, (System.nanoTime() - t0) / 1e6);
        smoke.check("placement", smoke::placement);
        smoke.check("copy-pageable", () -> smoke.copies(false));
        smoke.check("copy-registered", () -> smoke.copies(true));
        smoke.check("kernel-vectorAdd", smoke::vectorAdd);
        smoke.check("launch-rate", smoke::launchRate);
        smoke.check("launch-sync-round-trip", smoke::roundTrip);
        smoke.check("event-timing", smoke::eventTiming);
        smoke.check("mem-info", smoke::memInfo);
        b.close();
        smoke.arena.close();
        System.out.println((smoke.failures == 0 ? "PASS" : "FAIL") + " all: " + smoke.failures + " failed");
        System.exit(smoke.failures == 0 ? 0 : 1);
    }

    private interface Check {
        String run() throws Exception;
    }

    private void check(String name, Check check) {
        try {
            System.out.println("PASS " + name + ": " + check.run());
        } catch (Exception | AssertionError e) {
            failures++;
            System.out.println("FAIL " + name + ": " + e);
        }
    }

    private static void require(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }

    private String placement() throws CudaException {
        long first = backend.memAlloc(1000);
        require(first == backend.windowBase(), String.format("first allocation at 0x%x, not the window base", first));
        long at = backend.windowBase() + 64 * backend.granularity();
        require(backend.memAllocAt(at, 5000) == at, "memAllocAt");
        MemorySegment one = arena.allocate(8);
        one.set(JAVA_LONG, 0, 0x1122334455667788L);
        backend.copyHtoD(at + 4000, one, null);
        MemorySegment back = arena.allocate(8);
        backend.copyDtoH(back, at + 4000, null);
        require(back.get(JAVA_LONG, 0) == 0x1122334455667788L, "value at the placed allocation");
        backend.memFree(first);
        backend.memFree(at);
        return String.format("first allocation at 0x%x, memAllocAt(0x%x) holds data", first, at);
    }

    /** Median GB/s of HtoD and DtoH over 256 MiB, through staging or from registered memory. */
    private String copies(boolean registered) throws CudaException {
        long d = backend.memAlloc(COPY_BYTES);
        MemorySegment src = arena.allocate(COPY_BYTES, 4096);
        MemorySegment dst = arena.allocate(COPY_BYTES, 4096);
        for (long i = 0; i < COPY_BYTES; i += 8) {
            src.set(JAVA_LONG, i, i * 0x9E3779B97F4A7C15L);
        }
        if (registered) {
            backend.registerHost(src);
            backend.registerHost(dst);
        }
        double[] up = new double[COPY_REPEATS];
        double[] down = new double[COPY_REPEATS];
        for (int r = 0; r < COPY_REPEATS; r++) {
            long t = System.nanoTime();
            backend.copyHtoD(d, src, null);
            backend.synchronize((DeviceStream) null);
            up[r] = COPY_BYTES / (double) (System.nanoTime() - t);
            t = System.nanoTime();
            backend.copyDtoH(dst, d, null);
            down[r] = COPY_BYTES / (double) (System.nanoTime() - t);
        }
        require(src.mismatch(dst) == -1, "256 MiB came back different at byte " + src.mismatch(dst));
        if (registered) {
            backend.unregisterHost(src);
            backend.unregisterHost(dst);
        }
        backend.memFree(d);
        return String.format("256 MiB HtoD %.1f GB/s, DtoH %.1f GB/s (median of %d; native pageable 6.0 / 10.5, pinned 54 / 55)",
                median(up), median(down), COPY_REPEATS);
    }

    private DeviceModule module() throws IOException, CudaException {
        try (InputStream in = CudaSmoke.class.getResourceAsStream("smoke_kernels.ptx")) {
            if (in == null) {
                throw new IOException("smoke_kernels.ptx is not on the class path");
            }
            return backend.loadModule(in.readAllBytes());
        }
    }

    private String vectorAdd() throws Exception {
        DeviceModule m = module();
        DeviceFunction add = backend.function(m, "vectorAdd");
        require(Arrays.equals(add.params().offsets(), new int[] {0, 8, 16, 24}), "layout " + Arrays.toString(add.params().offsets()));
        int n = 1 << 20;
        long da = backend.memAlloc(4L * n);
        long db = backend.memAlloc(4L * n);
        long dc = backend.memAlloc(4L * n);
        MemorySegment a = arena.allocate(4L * n);
        MemorySegment b = arena.allocate(4L * n);
        for (int i = 0; i < n; i++) {
            a.setAtIndex(JAVA_FLOAT, i, i * 0.25f);
            b.setAtIndex(JAVA_FLOAT, i, 7f - i);
        }
        backend.copyHtoD(da, a, null);
        backend.copyHtoD(db, b, null);
        MemorySegment params = arena.allocate(32, 8);
        params.set(JAVA_LONG, 0, da);
        params.set(JAVA_LONG, 8, db);
        params.set(JAVA_LONG, 16, dc);
        params.set(JAVA_INT, 24, n);
        backend.launch(add, new LaunchConfig(n / 256, 1, 1, 256, 1, 1, 0), params, null);
        MemorySegment c = arena.allocate(4L * n);
        backend.copyDtoH(c, dc, null);
        for (int i = 0; i < n; i++) {
            float want = i * 0.25f + (7f - i);
            require(c.getAtIndex(JAVA_FLOAT, i) == want, "c[" + i + "] = " + c.getAtIndex(JAVA_FLOAT, i) + ", want " + want);
        }
        backend.unloadModule(m);
        backend.memFree(da);
        backend.memFree(db);
        backend.memFree(dc);
        return "1M floats added correctly, parameter layout " + Arrays.toString(add.params().offsets());
    }

    private String launchRate() throws Exception {
        DeviceModule m = module();
        DeviceFunction touch = backend.function(m, "touch");
        long flag = backend.memAlloc(4);
        backend.memset(flag, 0, 4, 1, null);
        MemorySegment params = arena.allocate(8);
        params.set(JAVA_LONG, 0, flag);
        LaunchConfig config = new LaunchConfig(1, 1, 1, 256, 1, 1, 0);
        DeviceStream stream = backend.createStream(0, 0);
        for (int i = 0; i < WARMUP_LAUNCHES; i++) {
            backend.launch(touch, config, params, stream);
        }
        backend.synchronize(stream);
        long t = System.nanoTime();
        for (int i = 0; i < ASYNC_LAUNCHES; i++) {
            backend.launch(touch, config, params, stream);
        }
        backend.synchronize(stream);
        double seconds = (System.nanoTime() - t) / 1e9;
        MemorySegment count = arena.allocate(4);
        backend.copyDtoH(count, flag, stream);
        require(count.get(JAVA_INT, 0) == ASYNC_LAUNCHES + WARMUP_LAUNCHES, "kernel ran " + count.get(JAVA_INT, 0) + " times");
        backend.destroyStream(stream);
        backend.unloadModule(m);
        backend.memFree(flag);
        double rate = ASYNC_LAUNCHES / seconds;
        return String.format("%.0fk launches/s over %d async launches (native C 224k/s; target >= 0.9x: %s)",
                rate / 1000, ASYNC_LAUNCHES, rate >= 0.9 * 224_000 ? "met" : "MISSED");
    }

    private String roundTrip() throws Exception {
        DeviceModule m = module();
        DeviceFunction touch = backend.function(m, "touch");
        MemorySegment params = arena.allocate(8);
        params.set(JAVA_LONG, 0, 0);
        LaunchConfig config = new LaunchConfig(1, 1, 1, 256, 1, 1, 0);
        double[] micros = new double[ROUND_TRIPS];
        for (int i = 0; i < ROUND_TRIPS; i++) {
            long t = System.nanoTime();
            backend.launch(touch, config, params, null);
            backend.synchronize();
            micros[i] = (System.nanoTime() - t) / 1e3;
        }
        backend.unloadModule(m);
        return String.format("launch + cuCtxSynchronize median %.1f us over %d (native C 10.2 us)", median(micros), ROUND_TRIPS);
    }

    private String eventTiming() throws Exception {
        DeviceEvent start = backend.createEvent(0);
        DeviceEvent end = backend.createEvent(0);
        long d = backend.memAlloc(1L << 30);
        backend.record(start, null);
        backend.memset(d, 0x7, 1, 1L << 30, null);
        backend.record(end, null);
        backend.synchronize(end);
        require(backend.query(end), "event complete after synchronize");
        float ms = backend.elapsedMillis(start, end);
        require(ms > 0 && ms < 10_000, "elapsed " + ms + " ms");
        backend.destroyEvent(start);
        backend.destroyEvent(end);
        backend.memFree(d);
        return String.format("memset of 1 GiB took %.3f ms by events (%.0f GB/s)", ms, 1.073741824 / ms * 1e3);
    }

    private String memInfo() throws CudaException {
        MemInfo before = backend.memInfo();
        long d = backend.memAlloc(1L << 30);
        MemInfo during = backend.memInfo();
        backend.memFree(d);
        require(before.free() - during.free() >= 1L << 30, before + " then " + during);
        return String.format("free %d of %d MiB; a 1 GiB allocation took %d MiB", before.free() >> 20,
                before.total() >> 20, (before.free() - during.free()) >> 20);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
