package io.gpumigrate.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gpumigrate.device.emulator.EmulatorBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The temporary directories of images whose writer was killed: removed by the next dump beside them, and only those. */
class UnfinishedImagesTest {

    private static final int CHUNK = 256 << 10;

    @TempDir
    Path tmp;

    private final CheckpointWriter writer = new CheckpointWriter(new ChunkCodec(CHUNK, CompressionPolicy.DEFAULT), CHUNK);

    /** The pid of a process that has ended. */
    private static long endedPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    /** A temporary image directory as a writer of {@code host} and {@code pid} names it, with a chunk file in it. */
    private Path leftBehind(String image, String host, long pid) throws Exception {
        Path dir = tmp.resolve("." + image + ".partial-" + host + "-" + pid + "-0123456789abcdef");
        Files.createDirectories(dir);
        Files.write(dir.resolve("chunks-0000.bin"), new byte[4096]);
        return dir;
    }

    @Test
    void aKilledWritersDirectoryIsRemovedAndNothingElse() throws Exception {
        String host = PartialImageDirs.HOST;
        long ended = endedPid();
        Path killed = leftBehind("job", host, ended);
        Path killedOtherImage = leftBehind("other-job", host, ended);
        Path running = leftBehind("job", host, ProcessHandle.current().pid());
        Path otherHost = leftBehind("job", "another-" + host, ended);
        Path image = Files.createDirectories(tmp.resolve("job-1"));
        Path hiddenNotOurs = Files.createDirectories(tmp.resolve(".job.partial-notes"));

        List<Path> removed = CheckpointWriter.removeUnfinished(tmp.resolve("job-2"));

        assertEquals(2, removed.size(), removed.toString());
        assertFalse(Files.exists(killed), "left by an ended process of this host");
        assertFalse(Files.exists(killedOtherImage), "another image's, left by an ended process of this host");
        assertTrue(Files.exists(running), "its writer still runs");
        assertTrue(Files.exists(otherHost), "another host's (a shared file system): its process is not ours to judge");
        assertTrue(Files.exists(image), "an image");
        assertTrue(Files.exists(hiddenNotOurs), "not named as a writer names its directories");
    }

    @Test
    void aCaptureInProgressIsNotTakenForAnUnfinishedImage() throws Exception {
        try (EmulatorBackend source = new EmulatorBackend(1L << 30)) {
            TestData.randomAllocation(source, 3 * CHUNK, 1);
            SessionImage image = SessionImageCodecTest.sampleImage(source.allocations());
            CheckpointWriter.Capture capture = writer.capture(image, source, tmp.resolve("job"), ProgressListener.NONE, null);
            try (Stream<Path> partial = Files.list(tmp)) {
                assertEquals(1, partial.count(), "the capture's temporary directory");
            }
            assertEquals(List.of(), CheckpointWriter.removeUnfinished(tmp.resolve("job-2")), "its writer runs");
            capture.seal();
            try (Stream<Path> left = Files.list(tmp)) {
                assertEquals(List.of(tmp.resolve("job")), left.toList());
            }
        }
    }

    @Test
    void aParentThatDoesNotExistIsNoError() {
        assertEquals(List.of(), CheckpointWriter.removeUnfinished(tmp.resolve("missing").resolve("job")));
    }
}
