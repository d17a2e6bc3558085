package io.gpumigrate.checkpoint.transfer;

import io.gpumigrate.checkpoint.ChunkLayout;
import io.gpumigrate.device.AddressRange;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the target holds, as the source knows it: for each allocation, which chunks were sent
 * and the chunk digest of the bytes that went out. A chunk is dirty when it was never sent or the
 * device's hash of it now differs from the one sent. Not thread-safe: the sender's thread.
 */
final class DirtyChunkTracker {

    private record Sent(AddressRange range, long[] hashes, BitSet sent) {
    }

    private final int chunkSize;
    private final TreeMap<Long, Sent> byBase = new TreeMap<>();

    DirtyChunkTracker(int chunkSize) {
        this.chunkSize = chunkSize;
    }

    /**
     * Starts a round over {@code allocations}: forgets every allocation not among them (freed,
     * or re-allocated with another size: the target places it anew, so all of it is dirty).
     */
    void retain(List<AddressRange> allocations) {
        Set<AddressRange> live = new HashSet<>(allocations);
        byBase.values().removeIf(s -> !live.contains(s.range()));
        for (AddressRange a : allocations) {
            byBase.computeIfAbsent(a.base(), b -> new Sent(a, new long[ChunkLayout.count(a, chunkSize)], new BitSet()));
        }
    }

    /** The chunks of {@code allocation} to send, given the device's hashes of its chunks now. */
    BitSet dirty(AddressRange allocation, long[] deviceHashes) {
        Sent s = byBase.get(allocation.base());
        BitSet dirty = new BitSet(deviceHashes.length);
        for (int i = 0; i < deviceHashes.length; i++) {
            if (!s.sent().get(i) || s.hashes()[i] != deviceHashes[i]) {
                dirty.set(i);
            }
        }
        return dirty;
    }

    /** Whether no chunk of {@code allocation} was sent yet: then all of it is dirty, no hashing needed. */
    boolean neverSent(AddressRange allocation) {
        return byBase.get(allocation.base()).sent().isEmpty();
    }

    /** The hashes of what was sent of {@code allocation}, chunk by chunk (a copy). */
    long[] sentHashes(AddressRange allocation) {
        return byBase.get(allocation.base()).hashes().clone();
    }

    /** Records that the chunk at {@code address} went out with {@code hash}. */
    void sent(long address, long hash) {
        Map.Entry<Long, Sent> e = byBase.floorEntry(address);
        if (e == null) {
            throw new IllegalStateException("chunk at 0x" + Long.toHexString(address) + " is in no tracked allocation");
        }
        int index = ChunkLayout.indexOf(e.getValue().range(), chunkSize, address);
        if (index < 0) {
            throw new IllegalStateException("0x" + Long.toHexString(address) + " is not a chunk start of "
                    + e.getValue().range());
        }
        e.getValue().hashes()[index] = hash;
        e.getValue().sent().set(index);
    }
}
