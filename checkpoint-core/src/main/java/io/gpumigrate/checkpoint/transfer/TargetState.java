package io.gpumigrate.checkpoint.transfer;

import io.gpumigrate.checkpoint.ChunkEncoding;
import io.gpumigrate.checkpoint.ChunkLayout;
import io.gpumigrate.checkpoint.SessionImage;
import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceBackend;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the target of a migration has placed and received: the allocations it made on the
 * target device and, for each chunk, whether it arrived and the hash it arrived with.
 *
 * <p>Not thread-safe: only the target's apply thread (the one that may call the backend) uses it.
 */
final class TargetState {

    private record Placed(AddressRange range, long[] hashes, BitSet received) {
    }

    private final DeviceBackend target;
    private final int chunkSize;
    private final TreeMap<Long, Placed> placed = new TreeMap<>();
    private long chunks;
    private long bytes;

    TargetState(DeviceBackend target, int chunkSize) {
        this.target = target;
        this.chunkSize = chunkSize;
    }

    /** Makes the placed allocations exactly {@code allocations}: frees the others, places the new ones. */
    void allocations(List<AddressRange> allocations) throws CudaException {
        Set<AddressRange> wanted = new HashSet<>(allocations);
        for (Placed p : new ArrayList<>(placed.values())) {
            if (!wanted.contains(p.range())) {
                target.memFree(p.range().base());
                placed.remove(p.range().base());
            }
        }
        for (AddressRange a : allocations) {
            if (!placed.containsKey(a.base())) {
                target.memAllocAt(a.base(), a.size());
                placed.put(a.base(), new Placed(a, new long[ChunkLayout.count(a, chunkSize)], new BitSet()));
            }
        }
    }

    /** Writes a decoded, verified chunk to the device and records its hash. */
    void apply(long address, int rawLength, ChunkEncoding encoding, long hash, MemorySegment raw)
            throws CudaException, TransferAbortedException {
        Map.Entry<Long, Placed> e = placed.floorEntry(address);
        int index = e == null ? -1 : ChunkLayout.indexOf(e.getValue().range(), chunkSize, address);
        if (index < 0 || ChunkLayout.length(e.getValue().range(), chunkSize, index) != rawLength) {
            throw new TransferAbortedException("chunk at 0x" + Long.toHexString(address) + " (" + rawLength
                    + " bytes) is not a chunk of any allocation the source announced");
        }
        if (encoding == ChunkEncoding.ZERO) {
            target.memset(address, 0, 1, rawLength, null);
        } else {
            target.copyHtoD(address, raw, null);
        }
        e.getValue().hashes()[index] = hash;
        e.getValue().received().set(index);
        chunks++;
        bytes += rawLength;
    }

    /**
     * Checks that what the target holds is exactly the source's final state: the same
     * allocations, every chunk received, each with the source's final hash.
     */
    void verify(SessionImage image, long[][] finalHashes) throws TransferAbortedException {
        List<AddressRange> held = new ArrayList<>();
        placed.values().forEach(p -> held.add(p.range()));
        if (!held.equals(image.allocations())) {
            throw new TransferAbortedException("the target holds allocations " + held + " but the session image lists "
                    + image.allocations());
        }
        if (finalHashes.length != held.size()) {
            throw new TransferAbortedException("FINISH lists hashes of " + finalHashes.length + " allocations, the image has "
                    + held.size());
        }
        int a = 0;
        for (Placed p : placed.values()) {
            long[] expected = finalHashes[a++];
            if (expected.length != p.hashes().length) {
                throw new TransferAbortedException("FINISH lists " + expected.length + " chunk hashes for " + p.range()
                        + ", which has " + p.hashes().length + " chunks");
            }
            for (int i = 0; i < expected.length; i++) {
                long address = ChunkLayout.address(p.range(), chunkSize, i);
                if (!p.received().get(i)) {
                    throw new TransferAbortedException("the chunk at 0x" + Long.toHexString(address) + " never arrived");
                }
                if (p.hashes()[i] != expected[i]) {
                    throw new TransferAbortedException("the chunk at 0x" + Long.toHexString(address)
                            + " the target holds is not the source's final version");
                }
            }
        }
    }

    /** Frees everything placed; errors of individual frees are ignored (the target is being abandoned). */
    void rollback() {
        for (Placed p : placed.values()) {
            try {
                target.memFree(p.range().base());
            } catch (CudaException | RuntimeException ignored) {
                // keep freeing the rest
            }
        }
        placed.clear();
    }

    long chunks() {
        return chunks;
    }

    long bytes() {
        return bytes;
    }
}
