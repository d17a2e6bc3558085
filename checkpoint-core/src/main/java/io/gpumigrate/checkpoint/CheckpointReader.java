package io.gpumigrate.checkpoint;

import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceBackend;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a checkpoint image ({@link CheckpointFormat}) and restores it onto a device: the
 * allocations at their recorded addresses, with their recorded contents.
 *
 * <p>All or nothing: when any file is missing, truncated or corrupted, every allocation the
 * restore made is freed again before the exception (naming the file) is thrown.
 *
 * <p>Thread-safe: a reader holds no state between calls. {@link #restore} calls {@code target}
 * from the calling thread (the new session's executor), except the chunks' copies
 * ({@link DeviceBackend#copyHtoDConcurrently}), which run on the chunk pool meanwhile; it reads
 * several chunk files at once ({@link ChunkFileRestore}).
 */
public final class CheckpointReader {

    private CheckpointReader() {
    }

    /** The session image of a checkpoint, without touching a device (to plan placement, or to list it). */
    public static SessionImage readSessionImage(Path dir) throws IOException {
        CheckpointManifest manifest = CheckpointManifest.read(dir);
        return readSession(dir, manifest);
    }

    /**
     * Restores the image {@code dir} onto {@code target}: each allocation re-created at its
     * address with {@code memAllocAt}, its contents written with {@code copyHtoD}, every chunk's
     * xxHash64 and every file's digest checked. Returns the session image, from which the
     * worker re-creates modules, functions, streams, events and handles.
     *
     * @throws CheckpointFormatException naming the file when a file is missing, truncated,
     *         corrupted or of a newer format; the target then holds none of the image's allocations
     * @throws CudaException {@code CUDA_ERROR_OUT_OF_MEMORY} before anything is placed when the
     *         target has less free memory than the image needs; any error of the target
     *         refusing an allocation or a copy, after undoing what was placed
     */
    public static SessionImage restore(Path dir, DeviceBackend target, ProgressListener listener)
            throws IOException, CudaException {
        CheckpointManifest manifest = CheckpointManifest.read(dir);
        for (CheckpointManifest.FileEntry entry : manifest.files().values()) {
            checkSize(dir, entry);
        }
        SessionImage image = readSession(dir, manifest);
        long free = target.memInfo().free();
        if (free < image.allocatedBytes()) {
            throw new CudaException(CuResult.OUT_OF_MEMORY, "the image " + dir + " needs " + image.allocatedBytes()
                    + " bytes of device memory, the target has " + free + " free");
        }
        List<AddressRange> placed = new ArrayList<>();
        boolean complete = false;
        try {
            for (AddressRange allocation : image.allocations()) {
                target.memAllocAt(allocation.base(), allocation.size());
                placed.add(allocation);
            }
            restoreChunks(dir, manifest, image, target, listener);
            complete = true;
            return image;
        } finally {
            if (!complete) {
                for (AddressRange allocation : placed) {
                    try {
                        target.memFree(allocation.base());
                    } catch (CudaException | RuntimeException ignored) {
                        // the restore's own failure is what the caller needs to see
                    }
                }
            }
        }
    }

    private static void restoreChunks(Path dir, CheckpointManifest manifest, SessionImage image, DeviceBackend target,
                                      ProgressListener listener) throws IOException, CudaException {
        ProgressMeter meter = new ProgressMeter(listener, ProgressListener.Phase.RESTORE, image.allocatedBytes());
        new ChunkFileRestore(dir, manifest.chunkSize(), image.allocations(), target, meter).run(manifest.chunkFiles());
    }

    private static SessionImage readSession(Path dir, CheckpointManifest manifest) throws IOException {
        CheckpointManifest.FileEntry entry = manifest.files().get(manifest.sessionFile());
        checkSize(dir, entry);
        byte[] bytes = Files.readAllBytes(dir.resolve(entry.name()));
        long digest = ChunkDigest.of(MemorySegment.ofArray(bytes));
        if (digest != entry.digest()) {
            throw new CheckpointFormatException("session file " + entry.name() + " (" + dir.resolve(entry.name())
                    + "): digest " + ChunkDigest.hex(digest) + " differs from the manifest's "
                    + ChunkDigest.hex(entry.digest()) + "; the file is corrupted");
        }
        return SessionImageCodec.decode(bytes, "session file " + entry.name());
    }

    private static void checkSize(Path dir, CheckpointManifest.FileEntry entry) throws IOException {
        Path path = dir.resolve(entry.name());
        if (!Files.isRegularFile(path)) {
            throw new CheckpointFormatException("file " + entry.name() + " (" + path + ") listed in the manifest is missing");
        }
        long size = Files.size(path);
        if (size != entry.size()) {
            throw new CheckpointFormatException("file " + entry.name() + " (" + path + ") is " + size
                    + " bytes, but the manifest lists " + entry.size() + "; truncated or replaced");
        }
    }
}
