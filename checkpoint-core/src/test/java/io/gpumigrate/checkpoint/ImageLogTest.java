package io.gpumigrate.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gpumigrate.device.emulator.EmulatorBackend;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A checkpoint image carrying the session's replay log under DIR/log/. */
class ImageLogTest {

    @TempDir
    Path tmp;

    private static final List<String> NAMES = List.of("00000000000000000001.seg", "00000000000000000700.seg",
            "blobs/3f/3f0a1b2c3d4e5f60-400.blob");

    private Path logDir() throws Exception {
        Path dir = tmp.resolve("log");
        SplittableRandom random = new SplittableRandom(7);
        int size = 5000;
        for (String name : NAMES) {
            byte[] data = new byte[size];
            random.nextBytes(data);
            size += 3333;
            Files.createDirectories(dir.resolve(name).getParent());
            Files.write(dir.resolve(name), data);
        }
        return dir;
    }

    private Path dump(Path log) throws Exception {
        try (EmulatorBackend source = new EmulatorBackend(1L << 28)) {
            TestData.randomAllocation(source, 100_000, 3);
            Path image = tmp.resolve("image");
            new CheckpointWriter().write(SessionImageCodecTest.sampleImage(source.allocations()), source, image,
                    ProgressListener.NONE, log == null ? null : new ImageLog.Source(log, NAMES));
            return image;
        }
    }

    @Test
    void theLogIsListedInTheManifestAndComesOutByteIdentical() throws Exception {
        Path log = logDir();
        Path image = dump(log);
        CheckpointManifest manifest = CheckpointManifest.read(image);
        assertEquals(NAMES, List.copyOf(manifest.logFiles().keySet()));
        assertEquals(List.of(CheckpointFormat.SESSION_FILE), manifest.files().keySet().stream()
                .filter(n -> !n.startsWith("chunks-")).toList(), "log files are not chunk files");
        Path restored = tmp.resolve("restored");
        ImageLog.copyOut(image, ImageLog.verified(image, manifest), restored);
        for (String name : NAMES) {
            assertArrayEquals(Files.readAllBytes(log.resolve(name)), Files.readAllBytes(restored.resolve(name)), name);
        }
    }

    @Test
    void aCorruptedOrTruncatedLogFileIsRefusedByName() throws Exception {
        Path image = dump(logDir());
        Path blob = image.resolve("log/blobs/3f/3f0a1b2c3d4e5f60-400.blob");
        try (RandomAccessFile f = new RandomAccessFile(blob.toFile(), "rw")) {
            f.seek(10);
            int b = f.read();
            f.seek(10);
            f.write(b ^ 0x40);
        }
        CheckpointFormatException corrupted = assertThrows(CheckpointFormatException.class,
                () -> ImageLog.verified(image, CheckpointManifest.read(image)));
        assertTrue(corrupted.getMessage().contains(blob.toString()) && corrupted.getMessage().contains("corrupted"),
                corrupted.getMessage());

        Path segment = image.resolve("log/00000000000000000700.seg");
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.setLength(f.length() - 1);
        }
        CheckpointFormatException truncated = assertThrows(CheckpointFormatException.class,
                () -> ImageLog.verified(image, CheckpointManifest.read(image)));
        assertTrue(truncated.getMessage().contains(segment.toString()), truncated.getMessage());
    }

    @Test
    void anImageWithoutALogHasNoneAndNamesThatLeaveTheLogDirectoryAreUnsafe() throws Exception {
        Path image = dump(null);
        assertTrue(CheckpointManifest.read(image).logFiles().isEmpty());
        assertTrue(ImageLog.verified(image, CheckpointManifest.read(image)).isEmpty());
        for (String bad : List.of("../x.seg", "/abs.seg", "blobs//x", ".hidden", "a/./b", "")) {
            assertTrue(!ImageLog.isSafeName(bad), bad);
        }
        assertTrue(ImageLog.isSafeName("blobs/3f/3f0a1b2c3d4e5f60-400.blob"));
    }
}
