package io.gpumigrate.replay.write;

/** When the writer forces what it wrote to stable storage. */
public enum FsyncPolicy {
    /**
     * Never: {@code flush()} and {@code close()} wait until the bytes are written to the operating
     * system, which survives a crash of the worker but not of the machine.
     */
    NEVER,
    /** On {@code flush()}, {@code close()} and when a segment is finished (the default). */
    ON_FLUSH,
    /** After every block as well: at most one block is lost when the machine fails, at the cost of a sync per block. */
    EVERY_BLOCK
}
