package io.gpumigrate.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jpountz.xxhash.StreamingXXHash64;
import net.jpountz.xxhash.XXHashFactory;

/**
 * The replay log inside a checkpoint image ({@link CheckpointFormat}, since 2.1): the files of
 * the session's log directory copied to {@code DIR/log/} under their relative names, each listed
 * in the manifest ({@code log PATH BYTES DIGEST}, DIGEST the xxHash64 of the whole file).
 * Stateless.
 */
public final class ImageLog {

    /** The image's subdirectory holding the log. */
    public static final String DIR = "log";

    private static final int BUFFER_BYTES = 1 << 20;

    /** The log to put into an image: its directory and its files, as relative names with {@code /}. */
    public record Source(Path dir, List<String> names) {
        public Source {
            names = List.copyOf(names);
        }
    }

    private ImageLog() {
    }

    /** Whether {@code name} is a relative path that stays inside the directory it is resolved against. */
    public static boolean isSafeName(String name) {
        if (name.isEmpty() || name.startsWith("/") || name.contains("\\") || name.indexOf('\0') >= 0) {
            return false;
        }
        for (String part : name.split("/", -1)) {
            if (part.isEmpty() || part.startsWith(".")) {
                return false;
            }
        }
        return true;
    }

    /** Copies the log's files to {@code imageDir/log/}; returns their manifest entries, in order. */
    static Map<String, CheckpointManifest.FileEntry> copyInto(Source log, Path imageDir) throws IOException {
        Map<String, CheckpointManifest.FileEntry> entries = new LinkedHashMap<>();
        for (String name : log.names()) {
            if (!isSafeName(name)) {
                throw new IllegalArgumentException("log file name \"" + name + "\" is not a plain relative path");
            }
            Path to = imageDir.resolve(DIR).resolve(name);
            Files.createDirectories(to.getParent());
            entries.put(name, copy(log.dir().resolve(name), to, name));
        }
        return entries;
    }

    /**
     * The log files of the image in {@code imageDir}, each checked against its manifest entry.
     *
     * @throws CheckpointFormatException naming the first file that is missing, of another length,
     *     or whose digest differs
     */
    public static List<CheckpointManifest.FileEntry> verified(Path imageDir, CheckpointManifest manifest)
            throws IOException {
        List<CheckpointManifest.FileEntry> ok = new ArrayList<>();
        for (CheckpointManifest.FileEntry f : manifest.logFiles().values()) {
            Path file = imageDir.resolve(DIR).resolve(f.name());
            long size;
            try {
                size = Files.size(file);
            } catch (NoSuchFileException e) {
                throw new CheckpointFormatException(file + ": missing; the manifest lists it with " + f.size() + " bytes");
            }
            if (size != f.size()) {
                throw new CheckpointFormatException(file + ": " + size + " bytes, the manifest says " + f.size()
                        + "; the file is truncated or was changed");
            }
            long digest = digest(file);
            if (digest != f.digest()) {
                throw new CheckpointFormatException(file + ": digest " + ChunkDigest.hex(digest) + " differs from the "
                        + "manifest's " + ChunkDigest.hex(f.digest()) + "; the file is corrupted");
            }
            ok.add(f);
        }
        return ok;
    }

    /** Copies the image's log files {@code files} to {@code into}, under their relative names. */
    public static void copyOut(Path imageDir, List<CheckpointManifest.FileEntry> files, Path into) throws IOException {
        for (CheckpointManifest.FileEntry f : files) {
            Path to = into.resolve(f.name());
            Files.createDirectories(to.getParent());
            Files.copy(imageDir.resolve(DIR).resolve(f.name()), to);
        }
    }

    /** The xxHash64 (seed 0) of a whole file. */
    public static long digest(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file);
             StreamingXXHash64 hash = XXHashFactory.fastestJavaInstance().newStreamingHash64(0)) {
            byte[] buffer = new byte[BUFFER_BYTES];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                hash.update(buffer, 0, n);
            }
            return hash.getValue();
        }
    }

    private static CheckpointManifest.FileEntry copy(Path from, Path to, String name) throws IOException {
        try (InputStream in = Files.newInputStream(from);
             OutputStream out = Files.newOutputStream(to, StandardOpenOption.CREATE_NEW);
             StreamingXXHash64 hash = XXHashFactory.fastestJavaInstance().newStreamingHash64(0)) {
            byte[] buffer = new byte[BUFFER_BYTES];
            long size = 0;
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                hash.update(buffer, 0, n);
                out.write(buffer, 0, n);
                size += n;
            }
            return new CheckpointManifest.FileEntry(name, size, hash.getValue());
        }
    }
}
