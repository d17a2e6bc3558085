package io.gpumigrate.checkpoint.transfer;

import io.gpumigrate.checkpoint.ChunkLayout;
import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.ChunkDigests;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceBackend;
import java.io.InterruptedIOException;
import java.util.BitSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

/**
 * Runs the sender's device reads where the source backend may be called: on the session's
 * executor, one small task at a time, so that the client's calls interleave with a pre-copy
 * round instead of waiting for all of it; or inline, when no executor is given (the caller
 * then is the only user of the backend). Thread-safe.
 */
final class SourceAccess {

    interface DeviceCall<T> {
        T call(DeviceBackend backend) throws CudaException;
    }

    private final DeviceBackend backend;
    private final Executor executor;

    SourceAccess(DeviceBackend backend, Executor executor) {
        this.backend = backend;
        this.executor = executor;
    }

    /** Runs {@code call} on the source's executor (or inline) and waits for it. */
    <T> T run(DeviceCall<T> call) throws CudaException, InterruptedIOException {
        if (executor == null) {
            return call.call(backend);
        }
        CompletableFuture<T> result = CompletableFuture.supplyAsync(() -> {
            try {
                return call.call(backend);
            } catch (CudaException e) {
                throw new CompletionException(e);
            }
        }, executor);
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the source device");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CudaException c) {
                throw c;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * The device's digests and zero flags of every chunk of {@code range}, asked for {@code batch}
     * chunks per call, each call its own task on the source's executor.
     */
    ChunkDigests digests(AddressRange range, int chunkSize, int batch) throws CudaException, InterruptedIOException {
        long[] hashes = new long[ChunkLayout.count(range, chunkSize)];
        BitSet zero = new BitSet(hashes.length);
        for (int first = 0; first < hashes.length; first += batch) {
            long address = ChunkLayout.address(range, chunkSize, first);
            long bytes = Math.min((long) batch * chunkSize, range.size() - (long) first * chunkSize);
            ChunkDigests part = run(device -> device.chunkDigests(address, bytes, chunkSize));
            System.arraycopy(part.hashes(), 0, hashes, first, part.count());
            for (int i = part.zero().nextSetBit(0); i >= 0; i = part.zero().nextSetBit(i + 1)) {
                zero.set(first + i);
            }
        }
        return new ChunkDigests(hashes, zero);
    }
}
