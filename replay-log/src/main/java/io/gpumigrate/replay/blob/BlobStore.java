package io.gpumigrate.replay.blob;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
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
import java.util.Set;

/**
 * The blob store of one log directory: each distinct payload is written once, as its own
 * {@link BlobFile}, whichever segment refers to it. Writes go to a temporary name and are renamed
 * into place, so a blob file that exists is complete.
 *
 * <p>A payload is compressed only when zstd (level 1) shrinks a sample of its first 64 KiB by at
 * least 10%: device payloads are often float data that zstd barely shrinks, and compressing
 * them would cost the writer thread far more than the disk bytes it saves.
 *
 * <p>Not thread-safe: a writer uses it from its one background thread; readers use their own
 * instance. {@link #close()} frees the native zstd contexts.
 */
public final class BlobStore implements AutoCloseable {

    private static final int SAMPLE_BYTES = 64 << 10;
    private static final double WORTH_COMPRESSING = 0.9;
    private static final XXHash64 XXH64 = XXHashFactory.fastestInstance().hash64();

    private final Path logDir;
    private final int level;
    private final Set<BlobRef> known = new HashSet<>();
    private final Set<Path> unsynced = new LinkedHashSet<>();
    private ZstdCompressCtx compressor;
    private ZstdDecompressCtx decompressor;
    private byte[] scratch = new byte[0];
    private byte[] packed = new byte[0];

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
     * with the same hash and length is already there.
     */
    public Put put(ByteBuffer payload) throws IOException {
        BlobRef ref = new BlobRef(hash(payload), payload.remaining());
        if (known.contains(ref)) {
            return new Put(ref, false, 0);
        }
        Path file = BlobFile.path(logDir, ref);
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        int n = payload.remaining();
        ByteBuffer stored = payload.duplicate();
        int codec = LogFormat.CODEC_NONE;
        if (n >= 64 && worthCompressing(payload)) {
            byte[] src = arrayOf(payload, n);
            int bound = (int) Zstd.compressBound(n);
            if (packed.length < bound) {
                packed = new byte[bound];
            }
            int size = compressor().setLevel(level).compressByteArray(packed, 0, bound, src, 0, n);
            if (size < n) {
                stored = ByteBuffer.wrap(packed, 0, size);
                codec = LogFormat.CODEC_ZSTD;
            }
        }
        int storedLength = stored.remaining();
        byte[] header = new BlobFile(LogFormat.VERSION_MAJOR, LogFormat.VERSION_MINOR, ref, codec, storedLength)
                .encodeHeader();
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer h = ByteBuffer.wrap(header);
            while (h.hasRemaining()) {
                ch.write(h);
            }
            while (stored.hasRemaining()) {
                ch.write(stored);
            }
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        known.add(ref);
        unsynced.add(file);
        return new Put(ref, true, BlobFile.HEADER_LENGTH + (long) storedLength);
    }

    /** Forces every blob written since the last call, and their directories, to stable storage. */
    public void sync() throws IOException {
        if (unsynced.isEmpty()) {
            return;
        }
        Set<Path> dirs = new LinkedHashSet<>();
        for (Path file : unsynced) {
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
        unsynced.clear();
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
        return new ArrayList<>(unsynced);
    }

    private boolean worthCompressing(ByteBuffer payload) {
        int n = Math.min(SAMPLE_BYTES, payload.remaining());
        byte[] src = arrayOf(payload, n);
        int bound = (int) Zstd.compressBound(n);
        if (packed.length < bound) {
            packed = new byte[bound];
        }
        int size = compressor().setLevel(1).compressByteArray(packed, 0, bound, src, 0, n);
        return size < n * WORTH_COMPRESSING;
    }

    /** The payload's first {@code n} bytes in an array from index 0: its own array when it has one, else a reused copy. */
    private byte[] arrayOf(ByteBuffer payload, int n) {
        if (payload.hasArray() && payload.arrayOffset() + payload.position() == 0) {
            return payload.array();
        }
        if (scratch.length < n) {
            scratch = new byte[n];
        }
        payload.duplicate().get(scratch, 0, n);
        return scratch;
    }

    private ZstdCompressCtx compressor() {
        if (compressor == null) {
            compressor = new ZstdCompressCtx();
        }
        return compressor;
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
        if (compressor != null) {
            compressor.close();
        }
        if (decompressor != null) {
            decompressor.close();
        }
    }
}
