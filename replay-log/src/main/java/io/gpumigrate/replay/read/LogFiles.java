package io.gpumigrate.replay.read;

import io.gpumigrate.replay.blob.BlobFile;
import io.gpumigrate.replay.format.LogFormat;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files that make up a log directory's content, for copying a log elsewhere (a migration
 * target, a checkpoint image): its segments and its blobs, as relative names with {@code /}
 * separators. The lock file, temporary files and anything else are left out.
 */
public final class LogFiles {

    private LogFiles() {
    }

    /** Segments by first sequence number, then blobs by name; an empty list for a directory without a log. */
    public static List<String> list(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return names;
        }
        for (Path segment : Segments.list(dir)) {
            names.add(segment.getFileName().toString());
        }
        Path root = dir.resolve(LogFormat.BLOB_DIR);
        if (!Files.isDirectory(root)) {
            return names;
        }
        List<String> blobs = new ArrayList<>();
        try (DirectoryStream<Path> fans = Files.newDirectoryStream(root)) {
            for (Path fan : fans) {
                if (!Files.isDirectory(fan)) {
                    continue;
                }
                try (DirectoryStream<Path> files = Files.newDirectoryStream(fan, "*" + LogFormat.BLOB_SUFFIX)) {
                    for (Path blob : files) {
                        if (BlobFile.parseName(blob.getFileName().toString()) != null && Files.isRegularFile(blob)) {
                            blobs.add(LogFormat.BLOB_DIR + "/" + fan.getFileName() + "/" + blob.getFileName());
                        }
                    }
                }
            }
        }
        blobs.sort(null);
        names.addAll(blobs);
        return names;
    }
}
