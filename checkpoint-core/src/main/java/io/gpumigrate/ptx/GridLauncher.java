package io.gpumigrate.ptx;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.emulator.DeviceAddressSpace;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a grid: workers (the calling thread plus pool threads) take blocks from a shared
 * counter, each block running start to finish on one worker. The first fault stops the
 * other workers at their next block and is rethrown to the caller. Returns when every block
 * has finished; thread-safe (each call has its own state).
 */
public final class GridLauncher {

    /** What a launch did: thread-instructions executed and wall time. */
    public record Stats(long threadInstructions, long nanos) {

        /** Thread-instructions per second. */
        public double rate() {
            return nanos == 0 ? 0 : threadInstructions * 1e9 / nanos;
        }
    }

    private GridLauncher() {
    }

    /**
     * @param pool     runs the extra workers; may be null when {@code workers} is 1
     * @param workers  threads to use, the caller included (>= 1)
     * @throws KernelFault the first fault any thread hit
     */
    public static Stats run(DecodedKernel kernel, LaunchShape shape, byte[] params, DeviceAddressSpace memory,
                            ExecutorService pool, int workers) {
        long start = System.nanoTime();
        long total = shape.blocks();
        int n = (int) Math.max(1, Math.min(workers, total));
        AtomicLong next = new AtomicLong();
        AtomicLong executed = new AtomicLong();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        List<Future<?>> helpers = new ArrayList<>();
        for (int i = 1; i < n; i++) {
            int index = i;
            helpers.add(pool.submit(() -> work(kernel, shape, params, memory, index, next, executed, failure)));
        }
        work(kernel, shape, params, memory, 0, next, executed, failure);
        for (Future<?> f : helpers) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KernelFault(CuResult.LAUNCH_FAILED, "interrupted while waiting for kernel " + kernel.name());
            } catch (java.util.concurrent.ExecutionException e) {
                failure.compareAndSet(null, new KernelFault(CuResult.LAUNCH_FAILED, "worker failed: " + e.getCause()));
            }
        }
        RuntimeException f = failure.get();
        if (f != null) {
            throw f;
        }
        return new Stats(executed.get(), System.nanoTime() - start);
    }

    private static void work(DecodedKernel kernel, LaunchShape shape, byte[] params, DeviceAddressSpace memory,
                             int index, AtomicLong next, AtomicLong executed, AtomicReference<RuntimeException> failure) {
        MemoryPort port = new MemoryPort(memory);
        port.params = params;
        BlockRunner runner = new BlockRunner(kernel, shape, port, index);
        long total = shape.blocks();
        long perPlane = (long) shape.gridX() * shape.gridY();
        try {
            while (failure.get() == null) {
                long b = next.getAndIncrement();
                if (b >= total) {
                    break;
                }
                int bz = (int) (b / perPlane);
                long rest = b % perPlane;
                runner.runBlock((int) (rest % shape.gridX()), (int) (rest / shape.gridX()), bz);
            }
        } catch (KernelFault e) {
            failure.compareAndSet(null, e);
        } catch (RuntimeException e) {
            failure.compareAndSet(null, new KernelFault(CuResult.LAUNCH_FAILED, "kernel " + kernel.name()
                    + " failed in the emulator: " + e));
        } finally {
            executed.addAndGet(runner.instructions);
        }
    }
}
