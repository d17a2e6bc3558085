package io.gpumigrate.replay.read;

import io.gpumigrate.replay.format.LogFormat;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The segment files of a log directory. */
public final class Segments {

    private Segments() {
    }

    /** The directory's segment files, by first sequence number; other files are ignored. */
    public static List<Path> list(Path dir) throws IOException {
        List<Path> segments = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + LogFormat.SEGMENT_SUFFIX)) {
            for (Path f : files) {
                if (LogFormat.segmentFirstSeq(f) >= 0 && Files.isRegularFile(f)) {
                    segments.add(f);
                }
            }
        }
        segments.sort(Comparator.comparingLong(LogFormat::segmentFirstSeq));
        return segments;
    }
}
