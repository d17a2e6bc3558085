package io.gpumigrate.worker;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpinningExecutorTest {

    @Test
    void tasksFromManyThreadsRunOnceEachInSubmissionOrderPerThread() throws Exception {
        SpinningExecutor executor = new SpinningExecutor("test-spin", TimeUnit.MICROSECONDS.toNanos(20));
        int threads = 4;
        int perThread = 5_000;
        List<List<Integer>> seen = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            seen.add(new ArrayList<>());
        }
        CountDownLatch submitted = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            List<Integer> mine = seen.get(t);
            Thread.ofPlatform().start(() -> {
                for (int i = 0; i < perThread; i++) {
                    int value = i;
                    executor.execute(() -> mine.add(value)); // only the executor thread touches the lists
                    if (i % 500 == 0) {
                        Thread.yield(); // let the executor run dry and park now and then
                    }
                }
                submitted.countDown();
            });
        }
        assertTrue(submitted.await(30, TimeUnit.SECONDS));
        executor.shutdown();
        assertTrue(executor.awaitTermination(30, TimeUnit.SECONDS));
        for (List<Integer> mine : seen) {
            assertEquals(perThread, mine.size());
            for (int i = 0; i < perThread; i++) {
                assertEquals(i, mine.get(i));
            }
        }
    }

    @Test
    void aParkedThreadWakesForTheNextTask() {
        SpinningExecutor executor = new SpinningExecutor("test-park", 0);
        AtomicInteger runs = new AtomicInteger();
        for (int i = 1; i <= 50; i++) {
            executor.execute(runs::incrementAndGet);
            int expected = i;
            await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() == expected);
        }
        executor.shutdown();
    }

    @Test
    void afterShutdownQueuedTasksStillRunAndNewOnesAreRefused() throws Exception {
        SpinningExecutor executor = new SpinningExecutor("test-shutdown", 0);
        CountDownLatch gate = new CountDownLatch(1);
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        executor.execute(() -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            order.add(1);
        });
        executor.execute(() -> order.add(2));
        executor.shutdown();
        assertThrows(RejectedExecutionException.class, () -> executor.execute(() -> order.add(3)));
        gate.countDown();
        assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS));
        assertEquals(List.of(1, 2), order);
        assertTrue(executor.isTerminated());
    }
}
