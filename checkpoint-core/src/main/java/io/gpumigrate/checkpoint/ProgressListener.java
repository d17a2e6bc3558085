package io.gpumigrate.checkpoint;

/**
 * Told how a dump, restore or transfer advances, at most once per chunk. Called on the
 * thread doing the work: keep it quick and never block in it.
 */
@FunctionalInterface
public interface ProgressListener {

    /** A listener that ignores everything. */
    ProgressListener NONE = p -> { };

    void progress(Progress progress);

    /** Where a long operation stands. */
    enum Phase {
        /** Writing a checkpoint image to disk. */
        DUMP,
        /** Checking a checkpoint image and writing it to the target device. */
        RESTORE,
        /** A pre-copy round of a migration while the session runs. */
        PRECOPY,
        /** The final copy of a migration, the session paused. */
        FINAL_COPY,
        /** The target checks that it holds a complete, verified image. */
        VERIFY
    }

    /**
     * @param phase           what is being done
     * @param bytesDone       bytes of device memory handled so far in this phase
     * @param bytesTotal      bytes the phase will handle (known up front)
     * @param bytesPerSecond  bytesDone over the time since the phase began
     */
    record Progress(Phase phase, long bytesDone, long bytesTotal, double bytesPerSecond) {
    }
}
