package io.gpumigrate.worker;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;

/**
 * Direct buffers for the copies of shared-memory uploads that go to the replay log, reused from
 * one upload to the next. Netty's pooled allocator treats a buffer of a whole upload slot (8 MiB)
 * as huge and maps fresh memory for each, whose page faults cost more than the copy itself; here
 * up to {@value #KEPT} large buffers are kept, their pages already mapped, until the session ends
 * (as many as were in use at once: the log writer holds a few blocks of payloads while it
 * hashes and writes them).
 *
 * <p>A buffer is handed out as a retained duplicate of a kept one, so the kept buffer's
 * reference count says who uses it: 1 means only this pool, and the log writer's release of the
 * duplicate (on its own thread) makes it free again. A large buffer asked for while all kept ones
 * are in use is a one-off, freed on its release. Buffers below {@value #POOLED_BELOW} bytes come
 * from Netty's pooled allocator, which serves those well.
 *
 * <p>Not thread-safe: {@link #acquire} and {@link #close} on the session's executor only (the
 * buffers handed out may be released on any thread).
 */
final class UploadCopyBuffers implements AutoCloseable {

    /** Large buffers kept, at most: with 8 MiB slots, 128 MiB per session that uploads through shared memory. */
    static final int KEPT = 16;
    static final int POOLED_BELOW = 1 << 20;

    private final ByteBuf[] kept = new ByteBuf[KEPT];
    private long reused;
    private long allocated;

    /** An empty buffer of at least {@code capacity} bytes that the caller owns (one reference). */
    ByteBuf acquire(int capacity) {
        if (capacity < POOLED_BELOW) {
            return PooledByteBufAllocator.DEFAULT.directBuffer(capacity, capacity);
        }
        ByteBuf chosen = null;
        int empty = -1;
        for (int i = 0; i < KEPT && chosen == null; i++) {
            ByteBuf b = kept[i];
            if (b != null && b.refCnt() == 1) { // unused
                if (b.capacity() >= capacity) {
                    chosen = b;
                    continue;
                }
                b.release(); // too small: make room for a larger one
                kept[i] = null;
                b = null;
            }
            if (b == null && empty < 0) {
                empty = i;
            }
        }
        if (chosen != null) {
            reused++;
            return chosen.retainedDuplicate().clear();
        }
        allocated++;
        ByteBuf fresh = Unpooled.directBuffer(capacity, capacity);
        if (empty < 0) {
            return fresh; // all kept ones in use: a one-off
        }
        kept[empty] = fresh;
        return fresh.retainedDuplicate().clear();
    }

    @Override
    public String toString() {
        return "upload copy buffers: " + reused + " reused, " + allocated + " allocated, " + keptCount() + " kept";
    }

    /** How many large buffers are kept now (free or in use). */
    int keptCount() {
        int n = 0;
        for (ByteBuf b : kept) {
            n += b == null ? 0 : 1;
        }
        return n;
    }

    /** Drops the pool's reference to each kept buffer; one still in use is freed when its user releases it. */
    @Override
    public void close() {
        for (int i = 0; i < KEPT; i++) {
            if (kept[i] != null) {
                kept[i].release();
                kept[i] = null;
            }
        }
    }
}
