package io.gpumigrate.worker;

import io.gpumigrate.device.emulator.EmulatorBackend;
import io.gpumigrate.protocol.Op;
import io.netty.channel.SelectStrategy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class BusyPollSelectStrategyTest {

    @Test
    void pollsWhileWorkIsRecentAndBlocksAfterAQuietSpell() throws Exception {
        BusyPollSelectStrategy strategy = new BusyPollSelectStrategy(TimeUnit.MILLISECONDS.toNanos(200));
        AtomicInteger polls = new AtomicInteger();
        assertEquals(0, strategy.calculateStrategy(() -> polls.incrementAndGet() * 0, false), "fresh: polls");
        assertEquals(3, strategy.calculateStrategy(() -> 3, true), "tasks: polls and reports what is ready");
        BusyPollSelectStrategy never = new BusyPollSelectStrategy(0);
        assertEquals(SelectStrategy.SELECT, never.calculateStrategy(() -> 0, false), "no spin: blocks");
        assertEquals(2, never.calculateStrategy(() -> 2, true), "no spin, tasks: polls");
        BusyPollSelectStrategy brief = new BusyPollSelectStrategy(1);
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        assertEquals(SelectStrategy.SELECT, brief.calculateStrategy(() -> 0, false), "quiet past the spin: blocks");
        assertEquals(1, polls.get());
    }

    /** A worker whose loop and executor both spin answers every call, in order, and none waits for a timeout. */
    @Test
    void aSpinningWorkerServesInterleavedCallsAndReplies() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Session session = new Session(44, WorkerFixture.SECRET, new EmulatorBackend(1L << 26));
            WorkerServer server = WorkerServer.start(() -> session, "127.0.0.1", 0, TimeUnit.MICROSECONDS.toNanos(100));
            try (WireTestClient client = WireTestClient.attach(server.port(), 44, WorkerFixture.SECRET)) {
                long dptr = client.memAlloc(4096);
                for (int i = 0; i < 300; i++) {
                    int value = i;
                    client.async(Op.MEMSET, w -> w.u64(dptr).u32(value).u32(4).u64(1).u64(0));
                    client.synchronize().expectSuccess();
                    byte[] word = client.copyDtoH(dptr, 4);
                    assertArrayEquals(new byte[] {(byte) value, (byte) (value >> 8), 0, 0}, word);
                }
            } finally {
                server.close();
                session.end("test finished").join();
            }
        });
    }
}
