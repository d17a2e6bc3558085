package io.gpumigrate.checkpoint;

/** Counts a phase's bytes and reports them with the rate so far. Not thread-safe: one worker thread. */
public final class ProgressMeter {

    private final ProgressListener listener;
    private final ProgressListener.Phase phase;
    private final long total;
    private final long startNanos = System.nanoTime();
    private long done;

    public ProgressMeter(ProgressListener listener, ProgressListener.Phase phase, long total) {
        this.listener = listener;
        this.phase = phase;
        this.total = total;
        listener.progress(new ProgressListener.Progress(phase, 0, total, 0));
    }

    /** Adds {@code bytes} to what is done and tells the listener. */
    public void advance(long bytes) {
        done += bytes;
        listener.progress(new ProgressListener.Progress(phase, done, total, rate()));
    }

    public long done() {
        return done;
    }

    /** Bytes per second since the phase began. */
    public double rate() {
        long nanos = Math.max(1, System.nanoTime() - startNanos);
        return done * 1e9 / nanos;
    }

    /** Seconds since the phase began. */
    public double seconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
