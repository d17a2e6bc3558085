package io.gpumigrate.checkpoint;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The manifest of a checkpoint image ({@link CheckpointFormat}): the format version, the chunk
 * size and every file with its size and digest. Immutable.
 *
 * @param major        format major version of the image
 * @param minor        format minor version of the image
 * @param chunkSize    bytes per chunk
 * @param sessionFile  the file that holds the session image
 * @param files        every file of the image but the manifest and the log, by name, in the order they were written
 * @param logFiles     since 2.1: the session's replay log, under {@code log/}, by its path relative to
 *                     the log directory (lines {@code log NAME BYTES DIGEST}); empty when the image has none
 */
public record CheckpointManifest(int major, int minor, int chunkSize, String sessionFile, Map<String, FileEntry> files,
                                 Map<String, FileEntry> logFiles) {

    /** A file of the image: its size in bytes and its digest. */
    public record FileEntry(String name, long size, long digest) {
    }

    public CheckpointManifest {
        files = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(files));
        logFiles = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(logFiles));
    }

    /** A manifest of an image without a replay log. */
    public CheckpointManifest(int major, int minor, int chunkSize, String sessionFile, Map<String, FileEntry> files) {
        this(major, minor, chunkSize, sessionFile, files, Map.of());
    }

    /** The chunk files, in the order they were written. */
    public List<FileEntry> chunkFiles() {
        List<FileEntry> result = new ArrayList<>();
        for (FileEntry f : files.values()) {
            if (!f.name().equals(sessionFile)) {
                result.add(f);
            }
        }
        return result;
    }

    /** Writes the manifest as {@code dir/MANIFEST}. */
    public void write(Path dir) throws IOException {
        StringBuilder text = new StringBuilder();
        text.append(CheckpointFormat.MAGIC_LINE).append(' ').append(major).append('.').append(minor).append('\n');
        text.append("chunk-size ").append(chunkSize).append('\n');
        text.append("session ").append(sessionFile).append('\n');
        for (FileEntry f : files.values()) {
            text.append("file ").append(f.name()).append(' ').append(f.size()).append(' ')
                    .append(ChunkDigest.hex(f.digest())).append('\n');
        }
        for (FileEntry f : logFiles.values()) {
            text.append("log ").append(f.name()).append(' ').append(f.size()).append(' ')
                    .append(ChunkDigest.hex(f.digest())).append('\n');
        }
        byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);
        String digestLine = "manifest-digest " + ChunkDigest.hex(ChunkDigest.of(MemorySegment.ofArray(body))) + "\n";
        Files.write(dir.resolve(CheckpointFormat.MANIFEST),
                (text + digestLine).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads and checks {@code dir/MANIFEST}.
     *
     * @throws CheckpointFormatException naming the manifest when it is missing, malformed,
     *         corrupted or of a newer major version
     */
    public static CheckpointManifest read(Path dir) throws IOException {
        Path path = dir.resolve(CheckpointFormat.MANIFEST);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new CheckpointFormatException(path + ": missing; " + dir + " is not a checkpoint image");
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        String[] lines = text.split("\n");
        String[] first = lines[0].split(" ");
        if (first.length != 2 || !first[0].equals(CheckpointFormat.MAGIC_LINE)) {
            throw new CheckpointFormatException(path + ": does not start with \"" + CheckpointFormat.MAGIC_LINE
                    + " MAJOR.MINOR\"; not a gpumigrate checkpoint image");
        }
        int major;
        int minor;
        try {
            String[] version = first[1].split("\\.");
            major = Integer.parseInt(version[0]);
            minor = Integer.parseInt(version[1]);
        } catch (RuntimeException e) {
            throw new CheckpointFormatException(path + ": bad format version \"" + first[1] + "\"");
        }
        if (major > CheckpointFormat.MAJOR) {
            throw new CheckpointFormatException(path + ": checkpoint format " + major + "." + minor
                    + " is newer than the " + CheckpointFormat.MAJOR + "." + CheckpointFormat.MINOR
                    + " this gpumigrate reads; restore it with a newer gpumigrate");
        }
        if (major < CheckpointFormat.MAJOR) {
            throw new CheckpointFormatException(path + ": checkpoint format " + major + "." + minor
                    + " predates the " + CheckpointFormat.MAJOR + "." + CheckpointFormat.MINOR
                    + " this gpumigrate reads (its chunk digests are plain xxHash64, not ChunkHash); restore it with"
                    + " the gpumigrate that wrote it");
        }
        int digestAt = text.lastIndexOf("manifest-digest ");
        if (digestAt < 0) {
            throw new CheckpointFormatException(path + ": no manifest-digest line; the manifest is truncated");
        }
        long expected = parseDigest(path, text.substring(digestAt + "manifest-digest ".length()).trim());
        long actual = ChunkDigest.of(MemorySegment.ofArray(text.substring(0, digestAt).getBytes(StandardCharsets.UTF_8)));
        if (actual != expected) {
            throw new CheckpointFormatException(path + ": digest " + ChunkDigest.hex(actual) + " differs from the recorded "
                    + ChunkDigest.hex(expected) + "; the manifest is corrupted");
        }
        return parseBody(path, major, minor, lines);
    }

    private static CheckpointManifest parseBody(Path path, int major, int minor, String[] lines)
            throws CheckpointFormatException {
        int chunkSize = 0;
        String session = null;
        Map<String, FileEntry> files = new LinkedHashMap<>();
        Map<String, FileEntry> logFiles = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split(" ");
            try {
                switch (f[0]) {
                    case "chunk-size" -> chunkSize = Integer.parseInt(f[1]);
                    case "session" -> session = f[1];
                    case "file" -> {
                        String name = f[1];
                        if (name.contains("/") || name.contains("\\") || name.startsWith(".")) {
                            throw new CheckpointFormatException(path + ": file name \"" + name + "\" leaves the image directory");
                        }
                        files.put(name, new FileEntry(name, Long.parseLong(f[2]), parseDigest(path, f[3])));
                    }
                    case "log" -> {
                        String name = f[1];
                        if (!ImageLog.isSafeName(name)) {
                            throw new CheckpointFormatException(path + ": log file name \"" + name
                                    + "\" leaves the image's log directory");
                        }
                        logFiles.put(name, new FileEntry(name, Long.parseLong(f[2]), parseDigest(path, f[3])));
                    }
                    default -> { } // a key of a later minor version
                }
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                throw new CheckpointFormatException(path + ": malformed line " + (i + 1) + ": \"" + lines[i] + "\"");
            }
        }
        if (chunkSize <= 0 || session == null || !files.containsKey(session)) {
            throw new CheckpointFormatException(path + ": lacks chunk-size, session or the session file's entry");
        }
        return new CheckpointManifest(major, minor, chunkSize, session, files, logFiles);
    }

    private static long parseDigest(Path path, String hex) throws CheckpointFormatException {
        try {
            return Long.parseUnsignedLong(hex, 16);
        } catch (NumberFormatException e) {
            throw new CheckpointFormatException(path + ": bad digest \"" + hex + "\"");
        }
    }
}
