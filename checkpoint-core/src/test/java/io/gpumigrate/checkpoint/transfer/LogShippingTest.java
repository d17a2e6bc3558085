package io.gpumigrate.checkpoint.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gpumigrate.checkpoint.ProgressListener;
import io.gpumigrate.checkpoint.SessionImage;
import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.emulator.DeviceAddressSpace;
import io.gpumigrate.device.emulator.EmulatorBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A replay log shipped with a migration: before the pause, then what changed in it. */
class LogShippingTest {

    @TempDir
    Path tmp;

    private final SplittableRandom random = new SplittableRandom(42);

    /** Every regular file under the directory, as relative names (what a log lister returns, simplified). */
    private static List<String> everyFile(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).map(f -> dir.relativize(f).toString().replace('\\', '/'))
                    .sorted().toList();
        }
    }

    private void write(Path file, int bytes, StandardOpenOption... how) throws IOException {
        byte[] data = new byte[bytes];
        random.nextBytes(data);
        Files.createDirectories(file.getParent());
        Files.write(file, data, how);
    }

    /** Two sealed segments, an active one, three blobs; one blob larger than a LOG_DATA piece. */
    private Path log() throws IOException {
        Path dir = tmp.resolve("source-log");
        write(dir.resolve("00000000000000000001.seg"), 300_000);
        write(dir.resolve("00000000000000004000.seg"), 70_000);
        write(dir.resolve("00000000000000009000.seg"), 12_345);
        write(dir.resolve("blobs/3f/3f0a1b2c3d4e5f60-100.blob"), 256);
        write(dir.resolve("blobs/a0/a000000000000001-180000.blob"), LogShipper.PIECE_BYTES + 4096);
        write(dir.resolve("blobs/a0/a000000000000002-10.blob"), 16);
        return dir;
    }

    /** The writer goes on while the session runs: the active segment grows, a segment and a blob appear. */
    private void growWhilePreCopyRan(Path dir) throws IOException {
        write(dir.resolve("00000000000000009000.seg"), 5_000, StandardOpenOption.APPEND);
        write(dir.resolve("00000000000000009500.seg"), 777);
        write(dir.resolve("blobs/77/7700000000000000-40.blob"), 64);
    }

    private static LogShipper.Sink into(LogReceiver r, List<TransferMessage> seen) {
        return m -> {
            seen.add(m);
            switch (m) {
                case TransferMessage.LogBegin b -> r.begin(b);
                case TransferMessage.LogData d -> r.data(d);
                case TransferMessage.LogEnd e -> r.end(e);
                default -> throw new AssertionError(m);
            }
        };
    }

    private static void assertSameFiles(Path expected, Path actual) throws IOException {
        assertEquals(everyFile(expected), everyFile(actual));
        for (String name : everyFile(expected)) {
            assertArrayEquals(Files.readAllBytes(expected.resolve(name)), Files.readAllBytes(actual.resolve(name)), name);
        }
    }

    @Test
    void logWithSeveralSegmentsAndBlobsArrivesByteIdenticalAndThePauseCarriesOnlyTheChanges() throws Exception {
        Path dir = log();
        long before;
        try (Stream<Path> s = Files.walk(dir)) {
            before = s.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
        LogReceiver receiver = new LogReceiver();
        Path staging = tmp.resolve("staging");
        receiver.expect(staging, "another host|/elsewhere|(dev=1,ino=2)");
        List<TransferMessage> seen = new ArrayList<>();
        try (LogShipper shipper = new LogShipper(dir, LogShippingTest::everyFile)) {
            assertEquals(before, shipper.shipChanges(into(receiver, seen)));
            growWhilePreCopyRan(dir);
            assertEquals(5_000 + 777 + 64, shipper.shipFinal(into(receiver, seen)));
        }
        LogOutcome outcome = receiver.outcome();
        assertEquals(LogOutcome.Status.COMPLETE, outcome.status(), outcome.problem());
        assertEquals(everyFile(dir), outcome.files().stream().map(TransferMessage.LogFile::name).sorted().toList());
        assertSameFiles(dir, staging);
        assertTrue(seen.getLast() instanceof TransferMessage.LogEnd);
    }

    @Test
    void aPieceLostOnTheWayIsDetectedAndTheMigrationIsNotFailedForIt() throws Exception {
        Path dir = log();
        LogReceiver receiver = new LogReceiver();
        receiver.expect(tmp.resolve("staging"), null);
        List<TransferMessage> seen = new ArrayList<>();
        LogShipper.Sink all = into(receiver, seen);
        // the second piece of the big blob never arrives: the stream is torn
        int[] pieces = {0};
        LogShipper.Sink torn = m -> {
            if (m instanceof TransferMessage.LogData d && d.name().startsWith("blobs/a0/a000000000000001")
                    && pieces[0]++ == 1) {
                d.data().release();
                return;
            }
            all.send(m);
        };
        try (LogShipper shipper = new LogShipper(dir, LogShippingTest::everyFile)) {
            shipper.shipFinal(torn);
        }
        LogOutcome outcome = receiver.outcome();
        assertEquals(LogOutcome.Status.INCOMPLETE, outcome.status());
        assertTrue(outcome.problem().contains("blobs/a0/a000000000000001-180000.blob"), outcome.problem());
        assertTrue(outcome.files().isEmpty());
    }

    @Test
    void aShortFileAndAFlippedByteAreBothRefusedByName() throws Exception {
        Path dir = log();
        for (boolean flip : new boolean[] {false, true}) {
            LogReceiver receiver = new LogReceiver();
            receiver.expect(tmp.resolve(flip ? "flipped" : "short"), null);
            LogShipper.Sink sink = into(receiver, new ArrayList<>());
            LogShipper.Sink damaging = m -> {
                if (m instanceof TransferMessage.LogEnd e && !flip) {
                    // the source claims more bytes than it sent: what a cut-short transfer looks like
                    List<TransferMessage.LogFile> files = new ArrayList<>(e.files());
                    TransferMessage.LogFile f = files.getFirst();
                    files.set(0, new TransferMessage.LogFile(f.name(), f.size() + 1, f.hash()));
                    sink.send(new TransferMessage.LogEnd(files));
                    return;
                }
                if (m instanceof TransferMessage.LogData d && flip && d.name().endsWith("4000.seg")) {
                    d.data().setByte(d.data().readerIndex() + 5, d.data().getByte(d.data().readerIndex() + 5) ^ 1);
                }
                sink.send(m);
            };
            try (LogShipper shipper = new LogShipper(dir, LogShippingTest::everyFile)) {
                shipper.shipFinal(damaging);
            }
            LogOutcome outcome = receiver.outcome();
            assertEquals(LogOutcome.Status.INCOMPLETE, outcome.status());
            String expected = flip ? "00000000000000004000.seg: xxHash64" : "00000000000000000001.seg: 300000 bytes arrived";
            assertTrue(outcome.problem().contains(expected), outcome.problem());
        }
    }

    @Test
    void noLogEndBeforeFinishMeansIncompleteAndANameOutsideTheStagingDirectoryIsRefused() throws Exception {
        Path dir = log();
        LogReceiver cut = new LogReceiver();
        cut.expect(tmp.resolve("cut"), null);
        try (LogShipper shipper = new LogShipper(dir, LogShippingTest::everyFile)) {
            shipper.shipChanges(into(cut, new ArrayList<>()));
        }
        assertEquals("no LOG_END arrived before FINISH", cut.outcome().problem());

        LogReceiver evil = new LogReceiver();
        evil.expect(tmp.resolve("evil"), null);
        evil.begin(new TransferMessage.LogBegin("x"));
        evil.data(new TransferMessage.LogData("../outside.seg", 0, io.netty.buffer.Unpooled.wrappedBuffer(new byte[8])));
        assertEquals(LogOutcome.Status.INCOMPLETE, evil.outcome().status());
        assertFalse(Files.exists(tmp.resolve("outside.seg")));
    }

    @Test
    void aTargetThatSharesTheSourcesLogDirectoryKeepsNothing() throws Exception {
        Path dir = log();
        LogReceiver receiver = new LogReceiver();
        receiver.expect(tmp.resolve("staging"), LogShipper.directoryKey(dir));
        try (LogShipper shipper = new LogShipper(dir, LogShippingTest::everyFile)) {
            shipper.shipFinal(into(receiver, new ArrayList<>()));
        }
        assertEquals(LogOutcome.Status.SAME_DIRECTORY, receiver.outcome().status());
        assertFalse(Files.exists(tmp.resolve("staging")));
    }

    @Test
    void theLogTravelsOnARealTransferBesideDeviceMemory() throws Exception {
        Path dir = log();
        TransferOptions options = TransferOptions.defaults().withChunkSize(256 << 10).withStreams(3);
        try (EmulatorBackend source = new EmulatorBackend(1L << 28); EmulatorBackend target = new EmulatorBackend(1L << 28)) {
            long a = source.memAlloc(1 << 20);
            source.memset(a, 0x5, 1, 1 << 20, null);
            SessionImage image = new SessionImage(new AddressRange(DeviceAddressSpace.WINDOW_BASE, 1L << 40), 9,
                    List.of(new SessionImage.Context(1, 0, 0)), source.allocations(), List.of(), List.of(), List.of(),
                    List.of(), List.of(), new TreeMap<>());
            Path staging = tmp.resolve("staging");
            try (MigrationReceiver receiver = MigrationReceiver.listen(
                    new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), target, null, options)) {
                receiver.log().expect(staging, null);
                try (MigrationSender sender = MigrationSender.connect(receiver.address(), source, options);
                     LogShipper shipper = new LogShipper(dir, LogShippingTest::everyFile)) {
                    sender.shipLog(shipper, false);
                    sender.sendRound(source.allocations(), ProgressListener.NONE);
                    growWhilePreCopyRan(dir);
                    sender.shipLog(shipper, true);
                    sender.finish(image, ProgressListener.NONE);
                    receiver.result().get(30, TimeUnit.SECONDS);
                }
                assertEquals(LogOutcome.Status.COMPLETE, receiver.log().outcome().status(),
                        receiver.log().outcome().problem());
            }
            assertSameFiles(dir, staging);
        }
    }
}
