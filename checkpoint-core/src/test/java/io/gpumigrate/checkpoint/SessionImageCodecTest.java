package io.gpumigrate.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gpumigrate.device.AddressRange;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SessionImageCodecTest {

    static SessionImage sampleImage(List<AddressRange> allocations) {
        TreeMap<Integer, Integer> attributes = new TreeMap<>();
        attributes.put(8, 65536);
        TreeMap<String, String> extensions = new TreeMap<>();
        extensions.put("worker.next-handle", "42");
        return new SessionImage(TestData.WINDOW, 1234,
                List.of(new SessionImage.Context(7, 0, 0)),
                allocations,
                List.of(new SessionImage.Module(11, ".version 8.0\n.target sm_90\n".getBytes())),
                List.of(new SessionImage.Function(12, 11, "stencil_step", attributes)),
                List.of(new SessionImage.Global(11, "coefficients", 0x7f00_0000_1000L, new byte[] {1, 2, 3, 4})),
                List.of(new SessionImage.Stream(13, 1, -1)),
                List.of(new SessionImage.Event(14, 2), new SessionImage.Event(15, 0)),
                extensions);
    }

    @Test
    void roundTripKeepsEveryHandleAndField() throws Exception {
        SessionImage image = sampleImage(List.of(new AddressRange(TestData.WINDOW.base(), 4096),
                new AddressRange(TestData.WINDOW.base() + (1 << 20), 3 << 20)));
        SessionImage decoded = SessionImageCodec.decode(SessionImageCodec.encode(image), "test");
        assertEquals(image, decoded);
        assertEquals(1234, decoded.lastAppliedSeq());
        assertEquals((3 << 20) + 4096, decoded.allocatedBytes());
    }

    @Test
    void aModulesPlacedGlobalsTravelWithItsImage() throws Exception {
        byte[] ptx = ".version 8.0\n.target sm_90\n".getBytes();
        SessionImage.Module placed = new SessionImage.Module(11, ptx, 0x2100_0000_0000L, new byte[] {7, 0, 0, 0, 5});
        SessionImage image = SessionImage.builder(TestData.WINDOW).module(placed)
                .module(new SessionImage.Module(12, ptx)).build();
        SessionImage decoded = SessionImageCodec.decode(SessionImageCodec.encode(image), "test");
        assertEquals(image.modules(), decoded.modules());
        assertEquals(0x2100_0000_0000L, decoded.modules().get(0).globalsAt());
        assertArrayEquals(new byte[] {7, 0, 0, 0, 5}, decoded.modules().get(0).globals());
        assertEquals(0, decoded.modules().get(1).globalsAt(), "a module whose globals the device placed");
        SessionImage.Module driverPlaced = new SessionImage.Module(10, ptx);
        assertEquals(List.of(placed, driverPlaced), SessionImage.Module.inLoadOrder(List.of(driverPlaced, placed)),
                "modules with an address for their globals load first, so none placed afresh takes it");
    }

    @Test
    void aVersion10ModuleReadsAsOneWhoseGlobalsTheDevicePlaced() throws Exception {
        byte[] ptx = ".version 8.0\n.target sm_90\n".getBytes();
        ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(SessionImageCodec.MAGIC).putShort((short) 1).putShort((short) 0);
        b.putShort((short) 1).putInt(1).putInt(24).putLong(TestData.WINDOW.base()).putLong(TestData.WINDOW.size()).putLong(5);
        b.putShort((short) 4).putInt(1).putInt(8 + 4 + ptx.length).putLong(11).putInt(ptx.length).put(ptx);
        byte[] bytes = java.util.Arrays.copyOf(b.array(), b.position());
        SessionImage decoded = SessionImageCodec.decode(bytes, "a 1.0 image");
        assertEquals(List.of(new SessionImage.Module(11, ptx)), decoded.modules());
        assertEquals(0, decoded.modules().get(0).globalsAt());
        assertEquals(5, decoded.lastAppliedSeq());
    }

    @Test
    void builderSortsAllocationsAndMatchesTheRecord() {
        AddressRange high = new AddressRange(TestData.WINDOW.base() + (8 << 20), 4096);
        AddressRange low = new AddressRange(TestData.WINDOW.base(), 4096);
        SessionImage built = SessionImage.builder(TestData.WINDOW).lastAppliedSeq(9).allocation(high).allocation(low)
                .stream(new SessionImage.Stream(5, 1, 0)).extension("k", "v").build();
        assertEquals(List.of(low, high), built.allocations());
        assertEquals(9, built.lastAppliedSeq());
        assertEquals("v", built.extensions().get("k"));
        assertEquals(List.of(new SessionImage.Stream(5, 1, 0)), built.streams());
    }

    @Test
    void newerMajorVersionIsRefusedByName() {
        byte[] bytes = SessionImageCodec.encode(sampleImage(List.of()));
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putShort(4, (short) (SessionImageCodec.MAJOR + 1));
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                () -> SessionImageCodec.decode(bytes, "session file session.bin"));
        assertTrue(e.getMessage().contains("session file session.bin"), e.getMessage());
        assertTrue(e.getMessage().contains("newer"), e.getMessage());
    }

    @Test
    void sectionOfALaterMinorVersionIsSkipped() throws Exception {
        SessionImage image = sampleImage(List.of());
        byte[] bytes = SessionImageCodec.encode(image);
        ByteBuffer extended = ByteBuffer.allocate(bytes.length + 2 + 4 + 4 + 3).order(ByteOrder.LITTLE_ENDIAN);
        extended.put(bytes).putShort((short) 99).putInt(1).putInt(3).put(new byte[] {9, 9, 9});
        assertEquals(image, SessionImageCodec.decode(extended.array(), "test"));
    }

    @Test
    void truncatedImageIsRefused() {
        byte[] bytes = SessionImageCodec.encode(sampleImage(List.of()));
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 5);
        assertThrows(CheckpointFormatException.class, () -> SessionImageCodec.decode(cut, "test"));
    }

    @Test
    void overlappingAllocationsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sampleImage(List.of(
                new AddressRange(TestData.WINDOW.base(), 8192),
                new AddressRange(TestData.WINDOW.base() + 4096, 8192))));
        assertTrue(e.getMessage().contains("0x200000001000"), e.getMessage());
    }
}
