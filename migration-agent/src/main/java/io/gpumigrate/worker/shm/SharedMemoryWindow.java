package io.gpumigrate.worker.shm;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Pattern;

/**
 * A client's shared mapping, mapped into the worker: a file the client created under
 * {@value #DIRECTORY}, named {@code gpumigrate-*}, that both processes map, so copy payloads
 * pass through memory instead of the socket. Only such names are accepted (a client must not
 * make the worker map, and then write into, any other file it can reach); the file must be a
 * regular file (no link) of exactly the announced size.
 *
 * <p>Thread-safe for {@link #slice}; {@link #close} once, after the last slice is used.
 */
public final class SharedMemoryWindow implements AutoCloseable {

    public static final String DIRECTORY = "/dev/shm";
    /** The smallest and largest window a client may announce. */
    public static final long MIN_BYTES = 4096;
    public static final long MAX_BYTES = 1L << 30;
    private static final Pattern NAME = Pattern.compile("gpumigrate-[A-Za-z0-9_.-]{1,64}");

    private final Arena arena;
    private final MemorySegment mapping;
    private final String path;

    private SharedMemoryWindow(Arena arena, MemorySegment mapping, String path) {
        this.arena = arena;
        this.mapping = mapping;
        this.path = path;
    }

    /**
     * Maps {@code path}, read-write, shared.
     *
     * @throws CudaException {@code INVALID_VALUE} naming the bad path or size,
     *                       {@code OPERATING_SYSTEM} when the file cannot be opened or mapped
     */
    public static SharedMemoryWindow map(String path, long bytes) throws CudaException {
        Path file = checkedPath(path);
        if (bytes < MIN_BYTES || bytes > MAX_BYTES) {
            throw new CudaException(CuResult.INVALID_VALUE, "shared-memory window of " + Long.toUnsignedString(bytes)
                    + " bytes outside [" + MIN_BYTES + ", " + MAX_BYTES + "]");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new CudaException(CuResult.INVALID_VALUE, path + " is not a regular file");
            }
            if (channel.size() != bytes) {
                throw new CudaException(CuResult.INVALID_VALUE, path + " holds " + channel.size()
                        + " bytes, not the announced " + bytes);
            }
            MemorySegment mapping = channel.map(FileChannel.MapMode.READ_WRITE, 0, bytes, arena);
            return new SharedMemoryWindow(arena, mapping, path);
        } catch (IOException | UnsupportedOperationException e) {
            arena.close();
            throw new CudaException(CuResult.OPERATING_SYSTEM, "cannot map " + path + ": " + e, e);
        } catch (CudaException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static Path checkedPath(String path) throws CudaException {
        Path file = Path.of(path);
        Path parent = file.getParent();
        if (parent == null || !parent.toString().equals(DIRECTORY) || !NAME.matcher(file.getFileName().toString()).matches()) {
            throw new CudaException(CuResult.INVALID_VALUE, "shared-memory path '" + path + "' is not "
                    + DIRECTORY + "/gpumigrate-NAME (NAME: 1 to 64 of A-Z a-z 0-9 _ . -)");
        }
        return file;
    }

    /** The whole mapping. */
    public MemorySegment mapping() {
        return mapping;
    }

    public long size() {
        return mapping.byteSize();
    }

    public String path() {
        return path;
    }

    /**
     * The part of the window that {@code op} names.
     *
     * @throws CudaException {@code INVALID_VALUE} naming the range when it does not lie inside the window
     */
    public MemorySegment slice(String op, long offset, long bytes) throws CudaException {
        if (offset < 0 || bytes < 0 || offset > mapping.byteSize() - bytes) {
            throw new CudaException(CuResult.INVALID_VALUE, op + " of " + Long.toUnsignedString(bytes) + " bytes at offset "
                    + Long.toUnsignedString(offset) + " lies outside the shared-memory window [0, " + mapping.byteSize() + ")");
        }
        return mapping.asSlice(offset, bytes);
    }

    /** Unmaps the window. */
    @Override
    public void close() {
        arena.close();
    }
}
