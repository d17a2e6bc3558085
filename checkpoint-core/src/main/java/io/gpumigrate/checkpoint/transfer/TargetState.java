package io.gpumigrate.checkpoint.transfer;

import io.gpumigrate.checkpoint.ChunkEncoding;
import io.gpumigrate.checkpoint.ChunkLayout;
import io.gpumigrate.checkpoint.SessionImage;
import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.ChunkDigests;
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
 * <p>Thread-safety: {@link #applyConcurrently} may run on several threads at once, between
 * barriers; every other method runs on the target's apply executor while no chunk is applied
 * (the receiver orders them, {@link ParallelApply}). Zero chunks are only recorded as they
 * arrive and written at the next barrier ({@link #allocations}, {@link #verify}), since a
 * memset is not one of the backend's concurrent calls.
 */
final class TargetState {

    private record Placed(AddressRange range, long[] hashes, BitSet received) {
    }

    private final DeviceBackend target;
    private final int chunkSize;
    private final boolean verifiesOnDevice;
    private final TreeMap<Long, Placed> placed = new TreeMap<>();
    /** Zero chunks received and not yet written: address to length. Guarded by this. */
    private final List<long[]> pendingZeros = new ArrayList<>();
    private long chunks;
    private long bytes;
    private boolean digestsReady;

    TargetState(DeviceBackend target, int chunkSize) {
        this.target = target;
        this.chunkSize = chunkSize;
        this.verifiesOnDevice = target.digestsOnDevice();
    }

    /**
     * Whether {@link #verify} digests the device's memory ({@link DeviceBackend#digestsOnDevice}):
     * then chunks need no hash check on the host as they arrive, and the check covers what
     * actually landed in device memory. Otherwise each chunk is checked as it is decoded.
     */
    boolean verifiesOnDevice() {
        return verifiesOnDevice;
    }

    /** Makes the placed allocations exactly {@code allocations}: frees the others, places the new ones. */
    void allocations(List<AddressRange> allocations) throws CudaException {
        writeZeros();
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
        readyDigests(allocations);
    }

    /**
     * Digests one chunk once, at the first barrier, so that a backend that loads its digest
     * kernels on first use (CUDA: a module to JIT-compile, tens of ms) has them before FINISH,
     * whose check runs inside the session's pause. What it digests is not used.
     */
    private void readyDigests(List<AddressRange> allocations) throws CudaException {
        if (verifiesOnDevice && !digestsReady && !allocations.isEmpty()) {
            ChunkDigests.ready(target, allocations, chunkSize);
            digestsReady = true;
        }
    }

    /**
     * Writes a decoded, verified chunk to the device (a zero chunk: at the next barrier) and
     * records its hash. Any number of threads may call this at once for different chunks.
     */
    void applyConcurrently(long address, int rawLength, ChunkEncoding encoding, long hash, MemorySegment raw)
            throws CudaException, TransferAbortedException {
        Placed p;
        int index;
        synchronized (this) {
            Map.Entry<Long, Placed> e = placed.floorEntry(address);
            p = e == null ? null : e.getValue();
            index = p == null ? -1 : ChunkLayout.indexOf(p.range(), chunkSize, address);
            if (index < 0 || ChunkLayout.length(p.range(), chunkSize, index) != rawLength) {
                throw new TransferAbortedException("chunk at 0x" + Long.toHexString(address) + " (" + rawLength
                        + " bytes) is not a chunk of any allocation the source announced");
            }
            if (encoding == ChunkEncoding.ZERO) {
                pendingZeros.add(new long[] {address, rawLength});
            }
        }
        if (encoding != ChunkEncoding.ZERO) {
            target.copyHtoDConcurrently(address, raw);
        }
        synchronized (this) {
            p.hashes()[index] = hash;
            p.received().set(index);
            chunks++;
            bytes += rawLength;
        }
    }

    /** Writes the zero chunks received since the last barrier. */
    private synchronized void writeZeros() throws CudaException {
        for (long[] z : pendingZeros) {
            target.memset(z[0], 0, 1, z[1], null);
        }
        pendingZeros.clear();
    }

    /**
     * Checks that what the target holds is exactly the source's final state: the same
     * allocations, every chunk received, each with the source's final hash: the hash it arrived
     * with, or, where the device digests its memory, the digest of what the device now holds.
     */
    void verify(SessionImage image, long[][] finalHashes) throws TransferAbortedException, CudaException {
        writeZeros();
        target.synchronize();
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
            long[] holds = verifiesOnDevice
                    ? target.chunkDigests(p.range().base(), p.range().size(), chunkSize).hashes() : p.hashes();
            for (int i = 0; i < expected.length; i++) {
                long address = ChunkLayout.address(p.range(), chunkSize, i);
                if (!p.received().get(i)) {
                    throw new TransferAbortedException("the chunk at 0x" + Long.toHexString(address) + " never arrived");
                }
                if (holds[i] != expected[i]) {
                    throw new TransferAbortedException("the chunk at 0x" + Long.toHexString(address)
                            + " the target holds is not the source's final version" + (verifiesOnDevice
                            ? " (its device memory digests to " + Long.toHexString(holds[i]) + ", the source's to "
                            + Long.toHexString(expected[i]) + ": damaged in transit or in decoding)" : ""));
                }
            }
        }
    }

    /** Frees everything placed; errors of individual frees are ignored (the target is being abandoned). */
    void rollback() {
        synchronized (this) {
            pendingZeros.clear();
        }
        for (Placed p : placed.values()) {
            try {
                target.memFree(p.range().base());
            } catch (CudaException | RuntimeException ignored) {
                // keep freeing the rest
            }
        }
        placed.clear();
    }

    synchronized long chunks() {
        return chunks;
    }

    synchronized long bytes() {
        return bytes;
    }
}
