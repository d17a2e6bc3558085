package io.gpumigrate.checkpoint;

/** A chunk whose decoded bytes do not match its digest ({@link io.gpumigrate.device.ChunkHash}), or whose payload cannot be decoded. */
public class ChunkCorruptedException extends CheckpointFormatException {

    private final long address;

    public ChunkCorruptedException(long address, String message) {
        super("chunk at 0x" + Long.toHexString(address) + ": " + message);
        this.address = address;
    }

    /** The device address of the chunk. */
    public long address() {
        return address;
    }
}
