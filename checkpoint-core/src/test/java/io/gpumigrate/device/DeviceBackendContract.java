package io.gpumigrate.device;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What every {@link DeviceBackend} must do, as a session worker relies on it. A backend's
 * test extends this class and supplies {@link #newBackend()}; the kernels it launches are
 * {@code contract_kernels.cu} (PTX beside it), overridable through {@link #moduleImage()}.
 */
public abstract class DeviceBackendContract {

    /** {@code CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK}. */
    protected static final int FUNC_MAX_THREADS_PER_BLOCK = 0;
    /** {@code CU_FUNC_ATTRIBUTE_NUM_REGS}. */
    protected static final int FUNC_NUM_REGS = 4;
    /** {@code CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES}. */
    protected static final int FUNC_MAX_DYNAMIC_SHARED = 8;

    protected DeviceBackend backend;
    protected Arena arena;

    /** A fresh backend with no allocations, modules, streams or events. */
    protected abstract DeviceBackend newBackend() throws CudaException;

    /** The image of the contract's test module: PTX of {@code contract_kernels.cu} unless overridden. */
    protected byte[] moduleImage() throws IOException {
        try (InputStream in = DeviceBackendContract.class.getResourceAsStream("contract_kernels.ptx")) {
            if (in == null) {
                throw new IOException("contract_kernels.ptx is not on the test class path");
            }
            return in.readAllBytes();
        }
    }

    /** Whether this backend can load and launch kernels; the kernel tests are skipped when not. */
    protected boolean runsKernels() {
        return true;
    }

    @BeforeEach
    void openBackend() throws CudaException {
        backend = newBackend();
        arena = Arena.ofConfined();
    }

    @AfterEach
    void closeBackend() {
        backend.close();
        arena.close();
    }

    // ---- properties and memory ----

    @Test
    void propertiesDescribeAUsableDevice() {
        DeviceProperties p = backend.properties();
        assertFalse(p.name().isBlank(), "device name");
        assertEquals(16, p.uuid().length);
        assertTrue(p.totalMemory() > 0);
        assertEquals(32, p.attribute(10), "warp size");
        assertTrue(p.attribute(1) >= 256, "max threads per block");
        assertTrue(p.attribute(16) >= 1, "multiprocessor count");
        assertTrue(p.attribute(75) >= 3, "compute capability major");
        assertTrue(p.attribute(8) >= 16 * 1024, "shared memory per block");
        assertTrue(p.driverVersion() >= 1000, "driver version");
    }

    @Test
    void allocationsAreAlignedAndDisjoint() throws CudaException {
        long a = backend.memAlloc(1000);
        long b = backend.memAlloc(1);
        long c = backend.memAlloc(3 << 20);
        for (long p : new long[] {a, b, c}) {
            assertEquals(0, p % 256, "alignment of 0x" + Long.toHexString(p));
        }
        assertTrue(a + 1000 <= b || b + 1 <= a);
        assertTrue(b + 1 <= c || c + (3 << 20) <= b);
        assertEquals(new AddressRange(a, 1000), backend.addressRange(a + 999));
        assertEquals(c, backend.addressRange(c + 12345).base());
    }

    @Test
    void allocatingZeroOrTooMuchFails() {
        assertEquals(CuResult.INVALID_VALUE, assertThrows(CudaException.class, () -> backend.memAlloc(0)).result());
        long tooMuch = backend.properties().totalMemory() * 4;
        assertEquals(CuResult.OUT_OF_MEMORY, assertThrows(CudaException.class, () -> backend.memAlloc(tooMuch)).result());
    }

    @Test
    void freeReleasesExactlyTheAllocation() throws CudaException {
        long a = backend.memAlloc(4096);
        assertEquals(CuResult.INVALID_VALUE, assertThrows(CudaException.class, () -> backend.memFree(a + 16)).result());
        backend.memFree(a);
        assertEquals(CuResult.INVALID_VALUE, assertThrows(CudaException.class, () -> backend.memFree(a)).result());
        assertThrows(CudaException.class, () -> backend.addressRange(a));
    }

    @Test
    void memInfoAccountsForAllocations() throws CudaException {
        MemInfo before = backend.memInfo();
        assertTrue(before.free() <= before.total() && before.free() > 0);
        long size = 256L << 20;
        long a = backend.memAlloc(size);
        MemInfo during = backend.memInfo();
        assertTrue(before.free() - during.free() >= size, before + " then " + during);
        backend.memFree(a);
        assertTrue(backend.memInfo().free() > during.free());
    }

    @Test
    void hostDeviceCopiesRoundTrip() throws CudaException {
        int n = 100_000;
        long d = backend.memAlloc(n);
        MemorySegment src = arena.allocate(n);
        for (int i = 0; i < n; i++) {
            src.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + 7));
        }
        backend.copyHtoD(d, src, null);
        MemorySegment back = arena.allocate(n);
        backend.copyDtoH(back, d, null);
        assertEquals(-1, src.mismatch(back));

        MemorySegment middle = arena.allocate(10);
        backend.copyDtoH(middle, d + 5000, null);
        assertEquals(-1, src.asSlice(5000, 10).mismatch(middle));
    }

    @Test
    void concurrentHostToDeviceCopiesLandBitExact() throws Exception {
        int pieces = 32;
        int piece = (1 << 20) + 4096; // not a multiple of the emulator's chunks: pieces share chunks
        long d = backend.memAlloc((long) pieces * piece);
        MemorySegment src = Arena.ofAuto().allocate((long) pieces * piece, 64);
        java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        src.elements(ValueLayout.JAVA_LONG).forEach(word -> word.set(ValueLayout.JAVA_LONG, 0, random.nextLong()));
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) { // last piece first: any order
            for (java.util.concurrent.Future<?> f : pool.invokeAll(java.util.stream.IntStream.range(0, pieces)
                    .mapToObj(p -> (java.util.concurrent.Callable<Void>) () -> {
                        long offset = (long) (pieces - 1 - p) * piece;
                        backend.copyHtoDConcurrently(d + offset, src.asSlice(offset, piece));
                        return null;
                    }).toList())) {
                f.get();
            }
        }
        MemorySegment back = arena.allocate(src.byteSize());
        backend.copyDtoH(back, d, null);
        assertEquals(-1, src.mismatch(back), "every piece landed where it was sent, intact");
        assertInvalidValue(() -> backend.copyHtoDConcurrently(d + src.byteSize() - 8, src.asSlice(0, 16)));
    }

    @Test
    void deviceToDeviceCopyMovesBytes() throws CudaException {
        long a = backend.memAlloc(4096);
        long b = backend.memAlloc(4096);
        MemorySegment src = ints(arena, 1024, i -> i * i);
        backend.copyHtoD(a, src, null);
        backend.copyDtoD(b + 64, a, 1024, null);
        MemorySegment back = arena.allocate(1024);
        backend.copyDtoH(back, b + 64, null);
        assertEquals(-1, src.asSlice(0, 1024).mismatch(back));
    }

    @Test
    void memsetFillsElementsOfEachSize() throws CudaException {
        long d = backend.memAlloc(64);
        backend.memset(d, 0, 1, 64, null);
        backend.memset(d, 0xAB, 1, 3, null);
        backend.memset(d + 4, 0xBEEF, 2, 2, null);
        backend.memset(d + 8, 0x12345678, 4, 2, null);
        byte[] got = new byte[17];
        MemorySegment host = arena.allocate(17);
        backend.copyDtoH(host, d, null);
        MemorySegment.copy(host, ValueLayout.JAVA_BYTE, 0, got, 0, 17);
        byte[] want = {(byte) 0xAB, (byte) 0xAB, (byte) 0xAB, 0, (byte) 0xEF, (byte) 0xBE, (byte) 0xEF, (byte) 0xBE,
                0x78, 0x56, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12, 0};
        assertArrayEquals(want, got);
    }

    @Test
    void copiesThatLeaveTheirAllocationAreRejected() throws CudaException {
        long d = backend.memAlloc(1024);
        MemorySegment host = arena.allocate(2048);
        assertInvalidValue(() -> backend.copyHtoD(d + 512, host.asSlice(0, 1024), null));
        assertInvalidValue(() -> backend.copyDtoH(host, d, null));
        assertInvalidValue(() -> backend.copyDtoD(d, d + 1000, 100, null));
        assertInvalidValue(() -> backend.memset(d + 1020, 0, 4, 2, null));
        assertInvalidValue(() -> backend.copyHtoD(d - 4096, host.asSlice(0, 16), null));
    }

    // ---- streams and events ----

    @Test
    void streamWorkCompletesInOrder() throws CudaException {
        DeviceStream s = backend.createStream(0, 0);
        long d = backend.memAlloc(4096);
        MemorySegment src = ints(arena, 1024, i -> 3 * i);
        backend.copyHtoD(d, src, s);
        backend.memset(d, 7, 4, 1, s);
        backend.synchronize(s);
        assertTrue(backend.query(s));
        MemorySegment back = arena.allocate(4096);
        backend.copyDtoH(back, d, s);
        assertEquals(7, back.getAtIndex(ValueLayout.JAVA_INT, 0));
        assertEquals(3 * 1023, back.getAtIndex(ValueLayout.JAVA_INT, 1023));
        backend.destroyStream(s);
    }

    @Test
    void eventsMeasureElapsedTime() throws CudaException {
        DeviceEvent start = backend.createEvent(0);
        DeviceEvent end = backend.createEvent(0);
        assertEquals(CuResult.INVALID_HANDLE,
                assertThrows(CudaException.class, () -> backend.elapsedMillis(start, end)).result());
        DeviceStream s = backend.createStream(0, 0);
        backend.record(start, s);
        long d = backend.memAlloc(1 << 20);
        backend.memset(d, 1, 1, 1 << 20, s);
        backend.record(end, s);
        backend.waitEvent(null, end);
        backend.synchronize(end);
        assertTrue(backend.query(end));
        float ms = backend.elapsedMillis(start, end);
        assertTrue(ms >= 0 && ms < 60_000, "elapsed " + ms);
        backend.synchronize();
        backend.destroyEvent(start);
        backend.destroyEvent(end);
        backend.destroyStream(s);
    }

    // ---- modules and kernels ----

    @Test
    void loadingGarbageFailsCleanly() {
        assumeTrue(runsKernels(), "this backend does not run kernels");
        CudaException e = assertThrows(CudaException.class,
                () -> backend.loadModule("this is not a module".getBytes()));
        assertTrue(Set.of(CuResult.INVALID_IMAGE, CuResult.INVALID_PTX, CuResult.INVALID_SOURCE,
                CuResult.NO_BINARY_FOR_GPU).contains(e.result()), e.getMessage());
    }

    @Test
    void moduleExposesKernelsAndTheirParameterLayout() throws Exception {
        DeviceModule m = loadContractModule();
        DeviceFunction add = backend.function(m, "vectorAdd");
        assertEquals("vectorAdd", add.name());
        assertArrayEquals(new int[] {0, 8, 16, 24}, add.params().offsets());
        assertArrayEquals(new int[] {8, 8, 8, 4}, add.params().sizes());
        DeviceFunction affine = backend.function(m, "affine");
        assertArrayEquals(new int[] {0, 16, 24, 32}, affine.params().offsets());
        assertArrayEquals(new int[] {16, 8, 8, 4}, affine.params().sizes());
        assertEquals(CuResult.NOT_FOUND, assertThrows(CudaException.class, () -> backend.function(m, "nope")).result());
        assertTrue(backend.functionAttribute(add, FUNC_MAX_THREADS_PER_BLOCK) >= 256);
        assertTrue(backend.functionAttribute(add, FUNC_NUM_REGS) > 0);
        backend.setFunctionAttribute(add, FUNC_MAX_DYNAMIC_SHARED, 64 * 1024);
        assertEquals(64 * 1024, backend.functionAttribute(add, FUNC_MAX_DYNAMIC_SHARED));
        backend.unloadModule(m);
    }

    @Test
    void vectorAddComputesWhatTheCpuComputes() throws Exception {
        DeviceModule m = loadContractModule();
        int n = 10_000;
        MemorySegment a = floats(arena, n, i -> i * 0.5f);
        MemorySegment b = floats(arena, n, i -> 1000f - i);
        long da = backend.memAlloc(4L * n);
        long db = backend.memAlloc(4L * n);
        long dc = backend.memAlloc(4L * n);
        backend.copyHtoD(da, a, null);
        backend.copyHtoD(db, b, null);
        MemorySegment params = arena.allocate(32, 8);
        params.set(ValueLayout.JAVA_LONG, 0, da);
        params.set(ValueLayout.JAVA_LONG, 8, db);
        params.set(ValueLayout.JAVA_LONG, 16, dc);
        params.set(ValueLayout.JAVA_INT, 24, n);
        DeviceFunction add = backend.function(m, "vectorAdd");
        backend.launch(add, new LaunchConfig((n + 255) / 256, 1, 1, 256, 1, 1, 0), params, null);
        backend.launch(add, new LaunchConfig((n + 255) / 256, 1, 1, 256, 1, 1, 0), params, null);
        backend.synchronize();
        MemorySegment c = arena.allocate(4L * n);
        backend.copyDtoH(c, dc, null);
        for (int i = 0; i < n; i++) {
            assertEquals(i * 0.5f + (1000f - i), c.getAtIndex(ValueLayout.JAVA_FLOAT, i), "c[" + i + "]");
        }
        AddressRange counter = backend.global(m, "launchCount");
        assertEquals(4, counter.size());
        MemorySegment count = arena.allocate(4);
        backend.copyDtoH(count, counter.base(), null);
        assertEquals(2, count.get(ValueLayout.JAVA_INT, 0), "launchCount after two launches");
    }

    @Test
    void structParametersArriveIntact() throws Exception {
        DeviceModule m = loadContractModule();
        int n = 300;
        long in = backend.memAlloc(4L * n);
        long out = backend.memAlloc(8L * n);
        backend.copyHtoD(in, ints(arena, n, i -> i - 150), null);
        MemorySegment params = arena.allocate(40, 8);
        params.set(ValueLayout.JAVA_DOUBLE, 0, 2.5);
        params.set(ValueLayout.JAVA_INT, 8, 1_000_000);
        params.set(ValueLayout.JAVA_BYTE, 12, (byte) -3);
        params.set(ValueLayout.JAVA_LONG, 16, in);
        params.set(ValueLayout.JAVA_LONG, 24, out);
        params.set(ValueLayout.JAVA_INT, 32, n);
        backend.launch(backend.function(m, "affine"), new LaunchConfig(3, 1, 1, 128, 1, 1, 0), params, null);
        MemorySegment got = arena.allocate(8L * n);
        backend.copyDtoH(got, out, null);
        for (int i = 0; i < n; i++) {
            long want = (long) ((i - 150) * 2.5) + 1_000_000 - 3;
            assertEquals(want, got.getAtIndex(ValueLayout.JAVA_LONG, i), "out[" + i + "]");
        }
    }

    @Test
    void constantMemoryIsInitializedAndWritable() throws Exception {
        DeviceModule m = loadContractModule();
        AddressRange scales = backend.global(m, "channelScale");
        assertEquals(16, scales.size());
        MemorySegment initial = arena.allocate(16);
        backend.copyDtoH(initial, scales.base(), null);
        assertEquals(3.0f, initial.getAtIndex(ValueLayout.JAVA_FLOAT, 2));
        backend.copyHtoD(scales.base(), floats(arena, 4, i -> -i), null);
        int n = 8;
        long d = backend.memAlloc(4L * n);
        backend.copyHtoD(d, floats(arena, n, i -> 10 + i), null);
        MemorySegment params = arena.allocate(16, 8);
        params.set(ValueLayout.JAVA_LONG, 0, d);
        params.set(ValueLayout.JAVA_INT, 8, n);
        backend.launch(backend.function(m, "scaleByChannel"), new LaunchConfig(1, 1, 1, 32, 1, 1, 0), params, null);
        MemorySegment got = arena.allocate(4L * n);
        backend.copyDtoH(got, d, null);
        for (int i = 0; i < n; i++) {
            assertEquals((10 + i) * (float) -(i % 4), got.getAtIndex(ValueLayout.JAVA_FLOAT, i), "data[" + i + "]");
        }
        assertEquals(CuResult.NOT_FOUND, assertThrows(CudaException.class, () -> backend.global(m, "absent")).result());
    }

    @Test
    void modulesHaveTheirOwnGlobals() throws Exception {
        DeviceModule first = loadContractModule();
        DeviceModule second = loadContractModule();
        long firstCounter = backend.global(first, "launchCount").base();
        long secondCounter = backend.global(second, "launchCount").base();
        assertNotEquals(firstCounter, secondCounter);
        backend.copyHtoD(secondCounter, ints(arena, 1, i -> 42), null);
        MemorySegment got = arena.allocate(4);
        backend.copyDtoH(got, firstCounter, null);
        assertEquals(0, got.get(ValueLayout.JAVA_INT, 0), "first module's counter");
        backend.unloadModule(first);
        backend.copyDtoH(got, secondCounter, null);
        assertEquals(42, got.get(ValueLayout.JAVA_INT, 0), "second module's counter after unloading the first");
    }

    @Test
    void placedGlobalsComeBackAtTheSameAddressesWithTheContentsWrittenThere() throws Exception {
        DeviceModule m = loadContractModule();
        AddressRange block = backend.moduleGlobals(m);
        assumeTrue(block != null, "this backend leaves module globals where its driver puts them");
        AddressRange counter = backend.global(m, "launchCount");
        AddressRange pointer = backend.global(m, "launchCountAddress");
        assertTrue(block.contains(counter.base(), counter.size()), counter + " lies in the block " + block);
        assertTrue(block.contains(pointer.base(), pointer.size()), pointer + " lies in the block " + block);
        long out = backend.memAlloc(16);
        MemorySegment params = arena.allocate(8, 8);
        params.set(ValueLayout.JAVA_LONG, 0, out);
        backend.launch(backend.function(m, "globalAddresses"), new LaunchConfig(1, 1, 1, 1, 1, 1, 0), params, null);
        MemorySegment seen = arena.allocate(16);
        backend.copyDtoH(seen, out, null);
        assertEquals(counter.base(), seen.get(ValueLayout.JAVA_LONG, 0), "&launchCount as the kernel sees it");
        backend.copyHtoD(counter.base(), ints(arena, 1, i -> 41), null);
        MemorySegment saved = arena.allocate(block.size());
        backend.copyDtoH(saved, block.base(), null);
        backend.unloadModule(m);

        DeviceModule again = backend.loadModule(moduleImage(), block.base());
        assertEquals(block, backend.moduleGlobals(again), "the block where it was");
        assertEquals(counter, backend.global(again, "launchCount"));
        MemorySegment fresh = arena.allocate(4);
        backend.copyDtoH(fresh, counter.base(), null);
        assertEquals(0, fresh.get(ValueLayout.JAVA_INT, 0), "a reloaded module starts from its initial values");
        backend.copyHtoD(block.base(), saved, null);
        backend.launch(backend.function(again, "vectorAdd"), new LaunchConfig(1, 1, 1, 32, 1, 1, 0),
                vectorAddParams(0), null);
        backend.synchronize();
        MemorySegment count = arena.allocate(4);
        backend.copyDtoH(count, counter.base(), null);
        assertEquals(42, count.get(ValueLayout.JAVA_INT, 0), "the restored counter, bumped by a kernel of the reloaded module");
        MemorySegment kept = arena.allocate(8);
        backend.copyDtoH(kept, pointer.base(), null);
        assertEquals(counter.base(), kept.get(ValueLayout.JAVA_LONG, 0), "the pointer to launchCount kept in a global");
    }

    @Test
    void aModulesGlobalsCannotBePlacedOverAnothersOrWhereTheyCannotLie() throws Exception {
        DeviceModule m = loadContractModule();
        AddressRange block = backend.moduleGlobals(m);
        assumeTrue(block != null, "this backend leaves module globals where its driver puts them");
        byte[] image = moduleImage();
        assertEquals(CuResult.INVALID_VALUE,
                assertThrows(CudaException.class, () -> backend.loadModule(image, block.base())).result());
        assertEquals(block, backend.moduleGlobals(m), "the first module keeps its block");
        DeviceModule second = backend.loadModule(image);
        AddressRange other = backend.moduleGlobals(second);
        assertTrue(other.base() >= block.base() + block.size() || other.base() + other.size() <= block.base(),
                other + " overlaps " + block);
        backend.copyHtoD(backend.global(second, "launchCount").base(), ints(arena, 1, i -> 5), null);
        MemorySegment first = arena.allocate(4);
        backend.copyDtoH(first, backend.global(m, "launchCount").base(), null);
        assertEquals(0, first.get(ValueLayout.JAVA_INT, 0), "the first module's counter is its own");
    }

    /** vectorAdd's parameters for {@code n} elements (0: only the launch counter moves). */
    private MemorySegment vectorAddParams(int n) throws CudaException {
        long d = backend.memAlloc(4L * Math.max(1, n));
        MemorySegment params = arena.allocate(32, 8);
        params.set(ValueLayout.JAVA_LONG, 0, d);
        params.set(ValueLayout.JAVA_LONG, 8, d);
        params.set(ValueLayout.JAVA_LONG, 16, d);
        params.set(ValueLayout.JAVA_INT, 24, n);
        return params;
    }

    protected DeviceModule loadContractModule() throws Exception {
        assumeTrue(runsKernels(), "this backend does not run kernels");
        return backend.loadModule(moduleImage());
    }

    // ---- helpers ----

    protected static void assertInvalidValue(org.junit.jupiter.api.function.Executable call) {
        CudaException e = assertThrows(CudaException.class, call);
        assertEquals(CuResult.INVALID_VALUE, e.result(), e.getMessage());
    }

    protected static MemorySegment ints(Arena arena, int n, java.util.function.IntUnaryOperator f) {
        MemorySegment s = arena.allocate(4L * n, 8);
        for (int i = 0; i < n; i++) {
            s.setAtIndex(ValueLayout.JAVA_INT, i, f.applyAsInt(i));
        }
        return s;
    }

    protected static MemorySegment floats(Arena arena, int n, java.util.function.IntToDoubleFunction f) {
        MemorySegment s = arena.allocate(4L * n, 8);
        for (int i = 0; i < n; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) f.applyAsDouble(i));
        }
        return s;
    }
}
