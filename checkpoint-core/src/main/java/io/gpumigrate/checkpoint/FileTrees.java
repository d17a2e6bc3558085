package io.gpumigrate.checkpoint;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Directory trees: removing one with everything in it (temporary trees: an image being written,
 * a staged log, recordings), and creating the private directories that hold a session's data.
 */
public final class FileTrees {

    private FileTrees() {
    }

    /**
     * Deletes {@code root} and everything under it, deepest first; a file that cannot be deleted
     * is left. Nothing when {@code root} is null or does not exist.
     *
     * @throws IOException when the tree cannot be walked
     */
    public static void delete(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /**
     * Creates {@code dir} readable, writable and searchable by its owner only ({@code rwx------},
     * where the file system has POSIX permissions), and any missing parent as
     * {@link Files#createDirectories} would. A checkpoint image or a replay log holds a session's
     * device memory, the data it copied and the secret its client attaches with: nobody else on the
     * node may read them. A {@code dir} that exists already is left as it is.
     *
     * @return {@code dir}
     * @throws FileAlreadyExistsException when {@code dir} exists and is not a directory
     */
    public static Path createPrivateDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return dir;
        }
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try {
            if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectory(dir);
            }
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw e;
            }
            // created meanwhile by someone else: theirs to have set up
        }
        return dir;
    }
}
