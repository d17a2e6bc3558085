package io.gpumigrate.replay.write;

import io.gpumigrate.replay.format.EntryBuffer;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Calls the writer had to drop: a running count, and the open gap (the dropped calls since the
 * last one logged), which goes into the log as a gap entry before the next call that is.
 * Guarded by the writer's append lock; {@link #total()} may be read from any thread.
 */
final class DroppedCalls {

    private final AtomicLong total = new AtomicLong();
    private long first = -1;
    private long last;
    private long count;

    void drop(long seq) {
        total.lazySet(total.get() + 1);
        if (first < 0) {
            first = seq;
            count = 0;
        }
        last = seq;
        count++;
    }

    /** Whether calls were dropped since the last gap entry. */
    boolean gapOpen() {
        return first >= 0;
    }

    /** Calls in the open gap. */
    long gapCount() {
        return count;
    }

    /** Appends the open gap to {@code block} and closes it. */
    void closeGapInto(PendingBlock block) {
        block.entries.putGap(first, last, count);
        block.added(first, last, EntryBuffer.GAP_LENGTH);
        first = -1;
    }

    long total() {
        return total.get();
    }
}
