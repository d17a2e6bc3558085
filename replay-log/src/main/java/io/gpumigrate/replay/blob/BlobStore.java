package io.gpumigrate.replay.blob;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdDecompressCtx;
import io.gpumigrate.replay.BlobRef;
import io.gpumigrate.replay.format.CorruptLogException;
import io.gpumigrate.replay.format.LittleEndian;
import io.gpumigrate.replay.format.LogFormat;
import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The blob store of one log directory: each distinct payload is written once, as its own
 * {@link BlobFile}, whichever segment refers to it. Writes go to a temporary name and are renamed
 * into place, so a blob file that exists is complete.
 *
 * <p>A payload is compressed only when zstd (level 1) shrinks a sample of its first 64 KiB by at
 * least 10%: device payloads are often float data that zstd barely shrinks, and compressing
 * them would cost the writer thread far more than the disk bytes it saves.
 *
 * <p>Not thread-safe, except {@link #store} and {@link #sync}: a writer uses it from its
 * background thread, which may hand {@link #store} calls to helpers; readers use their own
 * instance. {@link #close()} frees the native zstd contexts (no {@link #store} may be running).
 */
public final class BlobStore implements AutoCloseable {

    private static final XXHash64 XXH64 = XXHashFactory.fastestInstance().hash64();

    private final Path logDir;
    private final int level;
    private final Set<BlobRef> known = new HashSet<>();
    private final Set<Path> unsynced = new LinkedHashSet<>();
    /** Compression contexts and buffers not in use by a {@link #store} now. */
    private final Queue<Scratch> spares = new ConcurrentLinkedQueue<>();
    private ZstdDecompressCtx decompressor;

    private BlobStore(Path logDir, int level) {
        this.logDir = logDir;
        this.level = level;
    }

    /** A store for reading the blobs of {@code logDir}. */
    public static BlobStore forReading(Path logDir) {
        return new BlobStore(logDir, 0);
    }

    /** A store for writing, which knows every blob already in {@code logDir} so as not to write it again. */
    public static BlobStore forWriting(Path logDir, int zstdLevel) throws IOException {
        BlobStore store = new BlobStore(logDir, zstdLevel);
        Path root = logDir.resolve(LogFormat.BLOB_DIR);
        if (Files.isDirectory(root)) {
            try (DirectoryStream<Path> fans = Files.newDirectoryStream(root)) {
                for (Path fan : fans) {
                    if (!Files.isDirectory(fan)) {
                        continue;
                    }
                    try (DirectoryStream<Path> blobs = Files.newDirectoryStream(fan)) {
                        for (Path blob : blobs) {
                            String name = blob.getFileName().toString();
                            BlobRef ref = BlobFile.parseName(name);
                            if (ref != null) {
                                store.known.add(ref);
                            } else if (name.startsWith(".") && name.endsWith(".tmp")) {
                                Files.deleteIfExists(blob); // a blob whose writer stopped before renaming it
                            }
                        }
                    }
                }
            }
        }
        return store;
    }

    /** The xxHash64 (seed 0) of {@code buffer}'s remaining bytes; does not move its position. */
    public static long hash(ByteBuffer buffer) {
        return XXH64.hash(buffer, buffer.position(), buffer.remaining(), 0L);
    }

    /** Outcome of {@link #put}. */
    public record Put(BlobRef ref, boolean written, long bytesOnDisk) {
    }

    /**
     * Stores the remaining bytes of {@code payload} (its position is not moved) unless a blob
     * with the same hash and length is already there. Writer thread only.
     */
    public Put put(ByteBuffer payload) throws IOException {
        BlobRef ref = new BlobRef(hash(payload), payload.remaining());
        if (!claim(ref)) {
            return new Put(ref, false, 0);
        }
        try {
            return new Put(ref, true, store(ref, payload));
        } catch (IOException | RuntimeException e) {
            forget(ref);
            throw e;
        }
    }

    /**
     * Whether {@code ref} is new to this store, marking it known: the caller that gets
     * {@code true} must {@link #store} it (or {@link #forget} it when that fails) before any
     * segment refers to it. Writer thread only.
     */
    public boolean claim(BlobRef ref) {
        return known.add(ref);
    }

    /** Undoes a {@link #claim} whose {@link #store} failed. Writer thread only. */
    public void forget(BlobRef ref) {
        known.remove(ref);
    }

    /**
     * Writes the blob file of {@code payload}'s remaining bytes (its position is not moved),
     * whose hash and length {@code ref} must be, and returns the bytes it takes on disk.
     * Thread-safe: the writer may store several distinct payloads at once.
     */
    public long store(BlobRef ref, ByteBuffer payload) throws IOException {
        Path file = BlobFile.path(logDir, ref);
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        int n = payload.remaining();
        ByteBuffer stored = payload.duplicate();
        int codec = LogFormat.CODEC_NONE;
        Scratch s = borrow();
        try {
            if (n >= 64 && s.worthCompressing(payload)) {
                byte[] src = s.arrayOf(payload, n);
                int bound = (int) Zstd.compressBound(n);
                byte[] packed = s.packed(bound);
                int size = s.compressor.setLevel(level).compressByteArray(packed, 0, bound, src, 0, n);
                if (size < n) {
                    stored = ByteBuffer.wrap(packed, 0, size);
                    codec = LogFormat.CODEC_ZSTD;
                }
            }
            int storedLength = stored.remaining();
            byte[] header = new BlobFile(LogFormat.VERSION_MAJOR, LogFormat.VERSION_MINOR, ref, codec, storedLength)
                    .encodeHeader();
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                ByteBuffer h = ByteBuffer.wrap(header);
                while (h.hasRemaining()) {
                    ch.write(h);
                }
                while (stored.hasRemaining()) {
                    ch.write(stored);
                }
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            synchronized (unsynced) {
                unsynced.add(file);
            }
            return BlobFile.HEADER_LENGTH + (long) storedLength;
        } finally {
            spares.add(s);
        }
    }

    /** Forces every blob written since the last call, and their directories, to stable storage. */
    public void sync() throws IOException {
        List<Path> files;
        synchronized (unsynced) {
            files = new ArrayList<>(unsynced);
        }
        if (files.isEmpty()) {
            return;
        }
        Set<Path> dirs = new LinkedHashSet<>();
        for (Path file : files) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                ch.force(true);
            }
            dirs.add(file.getParent());
        }
        dirs.add(logDir.resolve(LogFormat.BLOB_DIR));
        for (Path dir : dirs) {
            try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
                ch.force(true);
            } catch (IOException e) {
                // Some file systems cannot open a directory for force(); the files themselves are synced.
            }
        }
        synchronized (unsynced) {
            files.forEach(unsynced::remove);
        }
    }

    /**
     * Reads and checks a blob's payload.
     *
     * @throws NoSuchFileException when the blob file is missing
     * @throws CorruptLogException when it does not hold exactly the payload its name says
     */
    public byte[] read(BlobRef ref) throws IOException {
        Path file = BlobFile.path(logDir, ref);
        byte[] all = Files.readAllBytes(file);
        BlobFile f = BlobFile.decodeHeader(all, all.length, file);
        if (!f.ref().equals(ref)) {
            throw new CorruptLogException(file, 12, "holds blob " + f.ref() + ", expected " + ref);
        }
        int headerLength = (int) LittleEndian.u32(all, 8);
        if ((long) headerLength + f.storedLength() != all.length) {
            throw new CorruptLogException(file, headerLength, "holds " + (all.length - headerLength)
                    + " payload bytes, its header says " + f.storedLength());
        }
        if (ref.length() > Integer.MAX_VALUE - 16) {
            throw new CorruptLogException(file, 20, "blob length " + ref.length() + " is too large to read");
        }
        byte[] payload;
        if (f.codec() == LogFormat.CODEC_ZSTD) {
            payload = new byte[(int) ref.length()];
            int n;
            try {
                n = decompressor().decompressByteArray(payload, 0, payload.length, all, headerLength, f.storedLength());
            } catch (RuntimeException e) {
                throw new CorruptLogException(file, headerLength, "zstd payload does not decompress: " + e.getMessage());
            }
            if (n != payload.length) {
                throw new CorruptLogException(file, headerLength, "payload decompresses to " + n
                        + " bytes, expected " + payload.length);
            }
        } else {
            if (f.storedLength() != ref.length()) {
                throw new CorruptLogException(file, 32, "stored length " + f.storedLength()
                        + " differs from the payload length " + ref.length());
            }
            payload = Arrays.copyOfRange(all, headerLength, all.length);
        }
        long actual = XXH64.hash(payload, 0, payload.length, 0L);
        if (actual != ref.hash()) {
            throw new CorruptLogException(file, headerLength, String.format(
                    "payload xxHash64 %016x does not match the blob's %016x", actual, ref.hash()));
        }
        return payload;
    }

    /** Blobs written since the last {@link #sync()}, for tests and statistics. */
    public List<Path> unsynced() {
        synchronized (unsynced) {
            return new ArrayList<>(unsynced);
        }
    }

    private Scratch borrow() {
        Scratch s = spares.poll();
        return s != null ? s : new Scratch();
    }

    private ZstdDecompressCtx decompressor() {
        if (decompressor == null) {
            decompressor = new ZstdDecompressCtx();
        }
        return decompressor;
    }

    /** Frees the zstd contexts; the store must not be used afterwards. */
    @Override
    public void close() {
        for (Scratch s = spares.poll(); s != null; s = spares.poll()) {
            s.compressor.close();
        }
        if (decompressor != null) {
            decompressor.close();
        }
    }
}
