package io.gpumigrate.checkpoint;

import io.gpumigrate.device.emulator.EmulatorBackend;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.CudaException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

class CheckpointImageTest {

    private static final int CHUNK = 256 << 10;

    @TempDir
    Path tmp;

    private final ChunkCodec codec = new ChunkCodec(CHUNK, CompressionPolicy.DEFAULT);
    /** Small chunk files, so that an image has several. */
    private final CheckpointWriter writer = new CheckpointWriter(codec, CHUNK);

    /** A source with three allocations: random, partly zero with an odd size, and compressible. */
    private SessionImage fillSource(EmulatorBackend source) throws CudaException {
        TestData.randomAllocation(source, 3 * CHUNK + 1000, 1);
        long mixed = source.memAlloc(5 * CHUNK);
        TestData.randomAllocation(source, 4096, 2);
        source.memset(mixed + CHUNK, 0x5A, 1, CHUNK, null);
        return SessionImageCodecTest.sampleImage(source.allocations());
    }

    @Test
    void roundTripRestoresAllocationsAtTheSameAddressesWithTheSameContents() throws Exception {
        try (EmulatorBackend source = new EmulatorBackend(1L << 30); EmulatorBackend target = new EmulatorBackend(1L << 30)) {
            SessionImage image = fillSource(source);
            Path dir = tmp.resolve("image");
            List<ProgressListener.Progress> seen = new ArrayList<>();
            CheckpointStats stats = writer.write(image, source, dir, seen::add);
            assertEquals(image.allocatedBytes(), stats.rawBytes());
            assertTrue(stats.zeroChunks() >= 4 && stats.zstdChunks() >= 1, stats.toString());
            assertTrue(chunkFiles(dir).size() > 1, "several chunk files expected");
            assertEquals(image.allocatedBytes(), seen.getLast().bytesDone());

            SessionImage restored = CheckpointReader.restore(dir, target, ProgressListener.NONE);
            assertEquals(image, restored);
            assertEquals(source.allocations(), target.allocations());
            for (AddressRange a : source.allocations()) {
                assertArrayEquals(TestData.read(source, a.base(), a.size()), TestData.read(target, a.base(), a.size()),
                        "contents of the allocation at 0x" + Long.toHexString(a.base()));
            }
        }
    }

    /** stagedChunks: host staging for none, some (the rest goes through the encoder in the pause) or all of the chunks. */
    @ParameterizedTest
    @ValueSource(ints = {0, 3, 64})
    void aCaptureIsNoImageUntilSealedAndTheDeviceMayChangeMeanwhile(int stagedChunks) throws Exception {
        try (EmulatorBackend source = new EmulatorBackend(1L << 30); EmulatorBackend target = new EmulatorBackend(1L << 30)) {
            SessionImage image = fillSource(source);
            List<byte[]> atCapture = new ArrayList<>();
            for (AddressRange a : source.allocations()) {
                atCapture.add(TestData.read(source, a.base(), a.size()));
            }
            Path dir = tmp.resolve("captured");
            CaptureMemory memory = writer.reserve((long) stagedChunks * CHUNK);
            HostStaging staging = memory.staging();
            assertEquals((long) stagedChunks * CHUNK, staging.capacity());
            CheckpointWriter.Capture capture = writer.capture(image, source, dir, ProgressListener.NONE, null, memory);
            assertFalse(Files.exists(dir), "no image before the seal");
            assertEquals(Math.min((long) stagedChunks * CHUNK, image.allocatedBytes()), staging.stagedBytes(),
                    "whole chunks staged while they fit");
            for (AddressRange a : source.allocations()) { // the session runs on: what it writes now is not in the image
                source.memset(a.base(), 0x77, 1, a.size(), null);
            }
            capture.seal();
            CheckpointReader.restore(dir, target, ProgressListener.NONE);
            List<AddressRange> allocations = target.allocations();
            for (int i = 0; i < allocations.size(); i++) {
                AddressRange a = allocations.get(i);
                assertArrayEquals(atCapture.get(i), TestData.read(target, a.base(), a.size()),
                        "contents at the capture, at 0x" + Long.toHexString(a.base()));
            }
        }
    }

    @Test
    void anAbandonedCaptureLeavesNothing() throws Exception {
        try (EmulatorBackend source = new EmulatorBackend(1L << 30)) {
            SessionImage image = fillSource(source);
            writer.capture(image, source, tmp.resolve("dropped"), ProgressListener.NONE, null).abandon();
            try (Stream<Path> left = Files.list(tmp)) {
                assertEquals(List.of(), left.toList());
            }
        }
    }

    @Test
    void theImageIsReadableByItsOwnerOnly() throws Exception {
        assumeTrue(tmp.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        try (EmulatorBackend source = new EmulatorBackend(1L << 30)) {
            SessionImage image = fillSource(source);
            Path dir = tmp.resolve("new-parent").resolve("image");
            writer.write(image, source, dir, ProgressListener.NONE);
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)),
                    "the image holds the session's memory and secret");
            assertTrue(Files.isDirectory(dir.getParent()), "a missing parent is created");
        }
    }

    @Test
    void mostlyZeroAllocationMakesATinyImage() throws Exception {
        try (EmulatorBackend source = new EmulatorBackend(1L << 30); EmulatorBackend target = new EmulatorBackend(1L << 30)) {
            long big = source.memAlloc(64L << 20);
            source.memset(big + (10L << 20), 0x33, 1, 100, null);
            SessionImage image = SessionImage.ofMemory(TestData.WINDOW, source.allocations());
            Path dir = tmp.resolve("zero");
            new CheckpointWriter().write(image, source, dir, ProgressListener.NONE);
            long onDisk;
            try (Stream<Path> files = Files.list(dir)) {
                onDisk = files.mapToLong(p -> p.toFile().length()).sum();
            }
            assertTrue(onDisk < 16 << 10, "a 64 MiB mostly-zero allocation took " + onDisk + " bytes");
            CheckpointReader.restore(dir, target, ProgressListener.NONE);
            assertArrayEquals(TestData.read(source, big, 64L << 20), TestData.read(target, big, 64L << 20));
        }
    }

    @Test
    void truncatedChunkFileIsRefusedByNameAndTargetKeepsNothing() throws Exception {
        Path dir = writeImage();
        Path victim = chunkFiles(dir).get(1);
        try (RandomAccessFile f = new RandomAccessFile(victim.toFile(), "rw")) {
            f.setLength(f.length() - 100);
        }
        assertRefusedNaming(dir, victim.getFileName().toString(), "truncated");
    }

    @Test
    void corruptedChunkFileIsRefusedByNameAndTargetKeepsNothing() throws Exception {
        Path dir = writeImage();
        Path victim = chunkFiles(dir).stream().max(java.util.Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
        flipByte(victim, Files.size(victim) - 50); // in the last payload of the largest file
        assertRefusedNaming(dir, victim.getFileName().toString(), "");
    }

    @Test
    void corruptedRecordHeaderIsRefusedByName() throws Exception {
        Path dir = writeImage();
        Path victim = chunkFiles(dir).getFirst();
        flipByte(victim, CheckpointFormat.CHUNK_FILE_HEADER_BYTES + 21); // inside the first record's hash
        assertRefusedNaming(dir, victim.getFileName().toString(), "");
    }

    @Test
    void corruptedSessionFileIsRefusedByName() throws Exception {
        Path dir = writeImage();
        flipByte(dir.resolve(CheckpointFormat.SESSION_FILE), 30);
        assertRefusedNaming(dir, CheckpointFormat.SESSION_FILE, "corrupted");
    }

    @Test
    void newerMajorVersionIsRefusedWithAClearMessage() throws Exception {
        Path dir = writeImage();
        Path manifest = dir.resolve(CheckpointFormat.MANIFEST);
        String text = Files.readString(manifest);
        Files.writeString(manifest, text.replaceFirst("gpumigrate-checkpoint 2\\.\\d+", "gpumigrate-checkpoint 3.0"));
        CheckpointFormatException e = assertRefusedNaming(dir, CheckpointFormat.MANIFEST, "newer");
        assertTrue(e.getMessage().contains("3.0"), e.getMessage());
    }

    @Test
    void imageOfFormat1WithPlainXxHashDigestsIsRefusedAsOlder() throws Exception {
        Path dir = writeImage();
        Path manifest = dir.resolve(CheckpointFormat.MANIFEST);
        String text = Files.readString(manifest);
        Files.writeString(manifest, text.replaceFirst("gpumigrate-checkpoint 2\\.\\d+", "gpumigrate-checkpoint 1.0"));
        CheckpointFormatException e = assertRefusedNaming(dir, CheckpointFormat.MANIFEST, "predates");
        assertTrue(e.getMessage().contains("1.0"), e.getMessage());
    }

    @Test
    void restoreOntoATargetWhoseAddressesAreTakenUndoesWhatItPlaced() throws Exception {
        Path dir = writeImage();
        SessionImage image = CheckpointReader.readSessionImage(dir);
        AddressRange last = image.allocations().getLast();
        try (EmulatorBackend target = new EmulatorBackend(1L << 30)) {
            target.memAllocAt(last.base(), last.size());
            CudaException e = assertThrows(CudaException.class,
                    () -> CheckpointReader.restore(dir, target, ProgressListener.NONE));
            assertTrue(e.getMessage().contains("0x" + Long.toHexString(last.base())), e.getMessage());
            assertEquals(List.of(last), target.allocations(), "only what was there before the restore remains");
        }
    }

    @Test
    void restoreOntoATooSmallTargetIsRefusedBeforeAnythingIsPlaced() throws Exception {
        Path dir = writeImage();
        try (EmulatorBackend small = new EmulatorBackend(1 << 20)) {
            CudaException e = assertThrows(CudaException.class, () -> CheckpointReader.restore(dir, small, ProgressListener.NONE));
            assertEquals(io.gpumigrate.device.CuResult.OUT_OF_MEMORY, e.result());
            assertTrue(e.getMessage().contains("1048576 free"), e.getMessage());
            assertEquals(List.of(), small.allocations());
        }
    }

    @Test
    void missingChunkFileIsRefusedByName() throws Exception {
        Path dir = writeImage();
        Path victim = chunkFiles(dir).get(1);
        Files.delete(victim);
        assertRefusedNaming(dir, victim.getFileName().toString(), "missing");
    }

    @Test
    void manifestOfALaterMinorVersionWithUnknownKeysIsRead() throws Exception {
        Path dir = writeImage();
        Path manifest = dir.resolve(CheckpointFormat.MANIFEST);
        String text = Files.readString(manifest);
        String body = text.substring(0, text.indexOf("manifest-digest "))
                .replaceFirst("gpumigrate-checkpoint 2\\.\\d+", "gpumigrate-checkpoint 2.7")
                + "gpu-hash-function xxh64\n";
        long digest = ChunkDigest.of(java.lang.foreign.MemorySegment.ofArray(body.getBytes(StandardCharsets.UTF_8)));
        Files.writeString(manifest, body + "manifest-digest " + ChunkDigest.hex(digest) + "\n");
        try (EmulatorBackend target = new EmulatorBackend(1L << 30)) {
            SessionImage restored = CheckpointReader.restore(dir, target, ProgressListener.NONE);
            assertEquals(restored.allocations(), target.allocations());
        }
        assertEquals(7, CheckpointManifest.read(dir).minor());
    }

    @Test
    void editedManifestIsRefusedAsCorrupted() throws Exception {
        Path dir = writeImage();
        Path manifest = dir.resolve(CheckpointFormat.MANIFEST);
        Files.writeString(manifest, Files.readString(manifest).replaceFirst("chunk-size 262144", "chunk-size 524288"));
        assertRefusedNaming(dir, CheckpointFormat.MANIFEST, "corrupted");
    }

    @Test
    void writingOverAnExistingDirectoryIsRefused() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("taken"));
        try (EmulatorBackend source = new EmulatorBackend(1L << 30)) {
            assertThrows(java.nio.file.FileAlreadyExistsException.class,
                    () -> writer.write(fillSource(source), source, dir, ProgressListener.NONE));
        }
    }

    @Test
    void failedDumpLeavesNothingOnDisk() throws Exception {
        try (EmulatorBackend source = new EmulatorBackend(1L << 30)) {
            SessionImage image = fillSource(source);
            source.memFree(source.allocations().getLast().base()); // the image now names memory the device lacks
            assertThrows(CudaException.class, () -> writer.write(image, source, tmp.resolve("failed"), ProgressListener.NONE));
            try (Stream<Path> left = Files.list(tmp)) {
                assertEquals(List.of(), left.toList());
            }
        }
    }

    private Path writeImage() throws Exception {
        try (EmulatorBackend source = new EmulatorBackend(1L << 30)) {
            Path dir = tmp.resolve("image");
            writer.write(fillSource(source), source, dir, ProgressListener.NONE);
            return dir;
        }
    }

    private CheckpointFormatException assertRefusedNaming(Path dir, String fileName, String reason) throws Exception {
        try (EmulatorBackend target = new EmulatorBackend(1L << 30)) {
            CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                    () -> CheckpointReader.restore(dir, target, ProgressListener.NONE));
            assertTrue(e.getMessage().contains(fileName), "message should name " + fileName + ": " + e.getMessage());
            assertTrue(e.getMessage().contains(reason), "message should say " + reason + ": " + e.getMessage());
            assertEquals(List.of(), target.allocations(), "a refused restore must leave no allocation behind");
            return e;
        }
    }

    private static List<Path> chunkFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("chunks-")).sorted().toList();
        }
    }

    private static void flipByte(Path file, long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0x01);
        }
        assertFalse(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).isEmpty());
    }
}
