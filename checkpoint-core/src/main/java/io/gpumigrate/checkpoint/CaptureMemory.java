package io.gpumigrate.checkpoint;

/**
 * The host memory a {@link CheckpointWriter#capture} works in, taken before the session pauses
 * so that the pause does not wait for it: the encoder's chunk buffers (zero-filling them took
 * 75-90 ms on an H200 host, most of a 1 GiB dump's pause) and the {@link HostStaging}, if any.
 * The capture that takes it frees it; {@link #close} frees it when no capture did.
 */
public final class CaptureMemory implements AutoCloseable {

    final ParallelChunkEncoder.Slots slots;
    final HostStaging staging;

    CaptureMemory(ParallelChunkEncoder.Slots slots, HostStaging staging) {
        this.slots = slots;
        this.staging = staging;
    }

    /** The staging part, to learn how much it held. */
    public HostStaging staging() {
        return staging;
    }

    /** Frees the staging (the buffers go with the garbage collector). Idempotent. */
    @Override
    public void close() {
        staging.close();
    }
}
