package io.gpumigrate.checkpoint.transfer;

import static io.gpumigrate.checkpoint.TestData.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gpumigrate.checkpoint.ChunkWorkers;
import io.gpumigrate.checkpoint.ProgressListener;
import io.gpumigrate.checkpoint.SessionImage;
import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceBackend;
import io.gpumigrate.device.emulator.DeviceAddressSpace;
import io.gpumigrate.device.emulator.EmulatorBackend;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The target applies chunks on several threads, in any order within a round, and still ends bit-exact or empty. */
class ParallelApplyTest {

    private static final int CHUNK = 64 << 10;
    private static final int CHUNKS = 24;
    private static final AddressRange WINDOW = new AddressRange(DeviceAddressSpace.WINDOW_BASE, 1L << 40);

    private final EmulatorBackend source = new EmulatorBackend(256L << 20);
    private final EmulatorBackend target = new EmulatorBackend(256L << 20);
    private final TransferOptions options = TransferOptions.defaults().withChunkSize(CHUNK).withStreams(2);
    /** Addresses of the chunks the target copied to the device, in the order the copies finished. */
    private final List<Long> applied = new CopyOnWriteArrayList<>();
    private final Set<String> applyThreads = ConcurrentHashMap.newKeySet();

    private interface CopyHook {
        void beforeCopy(long dst) throws Exception;
    }

    @AfterEach
    void close() {
        source.close();
        target.close();
    }

    @Test
    void chunksAppliedOutOfOrderOnSeveralThreadsArriveBitExact() throws Exception {
        assumeTrue(ChunkWorkers.threads() >= 2, "needs two chunk workers");
        fillSource();
        CountDownLatch anotherChunkLanded = new CountDownLatch(1);
        // the first copy to start (two streams: not necessarily the lowest address) waits until another is on the device
        AtomicLong held = new AtomicLong(-1);
        DeviceBackend holdingFirst = recording(dst -> {
            if (held.compareAndSet(-1, dst)) {
                assertTrue(anotherChunkLanded.await(30, TimeUnit.SECONDS), "no other chunk was applied meanwhile");
            }
        }, anotherChunkLanded);
        try (MigrationReceiver receiver = listen(holdingFirst);
             MigrationSender sender = MigrationSender.connect(receiver.address(), source, options)) {
            sender.finish(image(), ProgressListener.NONE); // stop-and-copy: one round
            receiver.result().get(30, TimeUnit.SECONDS);
        }
        assertTrue(applied.indexOf(held.get()) > 0, "the first chunk to start landed after another one: " + applied.size());
        assertTrue(applyThreads.size() >= 2, "copies ran on several threads: " + applyThreads);
        assertEquals(source.allocations(), target.allocations());
        for (AddressRange r : source.allocations()) {
            assertArrayEquals(read(source, r.base(), r.size()), read(target, r.base(), r.size()), "contents at 0x" + Long.toHexString(r.base()));
        }
    }

    @Test
    void aChunkFailingMidWayAbortsAndTheTargetKeepsNothing() throws Exception {
        long base = fillSource();
        long failing = base + 7L * CHUNK;
        DeviceBackend faulty = recording(dst -> {
            if (dst == failing) {
                throw new CudaException(CuResult.ILLEGAL_ADDRESS, "copy to 0x" + Long.toHexString(dst) + " failed");
            }
        }, new CountDownLatch(0));
        try (MigrationReceiver receiver = listen(faulty);
             MigrationSender sender = MigrationSender.connect(receiver.address(), source, options)) {
            TransferAbortedException e = assertThrows(TransferAbortedException.class,
                    () -> sender.finish(image(), ProgressListener.NONE));
            assertTrue(e.getMessage().contains(Long.toHexString(failing)), e.getMessage());
            ExecutionException failed = assertThrows(ExecutionException.class,
                    () -> receiver.result().get(30, TimeUnit.SECONDS));
            assertTrue(failed.getCause() instanceof TransferAbortedException, failed.toString());
            assertEquals(List.of(), target.allocations(), "an aborted transfer leaves nothing on the target");
        }
    }

    /** The target emulator, with {@code hook} before each concurrent copy; each copy's end counts {@code landed} down. */
    private DeviceBackend recording(CopyHook hook, CountDownLatch landed) {
        return (DeviceBackend) Proxy.newProxyInstance(DeviceBackend.class.getClassLoader(),
                new Class<?>[] {DeviceBackend.class}, (proxy, method, args) -> {
                    boolean copy = method.getName().equals("copyHtoDConcurrently");
                    if (copy) {
                        hook.beforeCopy((long) args[0]);
                        applyThreads.add(Thread.currentThread().getName());
                    }
                    Object result = invoke(method, args);
                    if (copy) {
                        applied.add((long) args[0]);
                        landed.countDown();
                    }
                    return result;
                });
    }

    private Object invoke(Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** Random chunks, a zero run and a compressible run in one allocation; returns its base. */
    private long fillSource() throws CudaException {
        long base = source.memAlloc((long) CHUNKS * CHUNK - 100);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate((long) CHUNKS * CHUNK - 100);
            SplittableRandom random = new SplittableRandom(3);
            for (long i = 0; i + 8 <= data.byteSize(); i += 8) {
                data.set(ValueLayout.JAVA_LONG_UNALIGNED, i, random.nextLong());
            }
            data.asSlice(4L * CHUNK, 3L * CHUNK).fill((byte) 0);
            data.asSlice(10L * CHUNK, 4L * CHUNK).fill((byte) 0x3C);
            source.copyHtoD(base, data, null);
        }
        return base;
    }

    private MigrationReceiver listen(DeviceBackend device) throws Exception {
        return MigrationReceiver.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), device, null, options);
    }

    private SessionImage image() {
        return SessionImage.ofMemory(WINDOW, source.allocations());
    }
}
