package io.gpumigrate.worker;

import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.DeviceModule;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a session's module globals are seen and translated: identity at first, recorded addresses after a move. */
class GlobalAddressMapTest {

    private static final long OLD = 0x7ff4_1480_0200L;
    private static final long NEW = 0x7f10_0000_0400L;

    private final GlobalAddressMap map = new GlobalAddressMap();
    private final DeviceModule module = new DeviceModule() { };

    @Test
    void aGlobalIsSeenWhereItLiesUntilARestoreNamesWhereItsClientSawIt() {
        assertEquals(new AddressRange(NEW, 64), map.visible(module, "first", new AddressRange(NEW, 64)));
        assertEquals(0, map.movedCount());
        assertEquals(NEW + 8, map.actual(NEW + 8));

        map.expectNextAt(OLD);
        assertEquals(new AddressRange(OLD, 256), map.visible(module, "table", new AddressRange(NEW + 512, 256)));
        assertEquals(1, map.movedCount());
        assertEquals(NEW + 512 + 255, map.actual(OLD + 255));
        assertEquals(OLD + 256, map.actual(OLD + 256), "the byte past the end is not the global's");
        assertEquals(new AddressRange(OLD, 256), map.visible(module, "table", new AddressRange(NEW + 512, 256)),
                "a second lookup answers the first address");

        map.forget(module);
        assertEquals(0, map.movedCount());
        assertEquals(OLD, map.actual(OLD), "an unloaded module's globals are no longer translated");
    }

    @Test
    void onlyPointerSizedWordsInsideAMovedGlobalAreTranslatedInLaunchParameters() {
        map.expectNextAt(OLD);
        map.visible(module, "table", new AddressRange(NEW, 256));
        ByteBuffer b = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(OLD + 16).putLong(0x2000_0000_0000L).putInt(7).putLong(OLD + 8);
        MemorySegment params = MemorySegment.ofArray(b.array());
        MemorySegment translated = map.translateParams(params);
        assertNotEquals(params, translated);
        assertEquals(NEW + 16, translated.get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
        assertEquals(0x2000_0000_0000L, translated.get(ValueLayout.JAVA_LONG_UNALIGNED, 8));
        assertEquals(OLD + 8, translated.get(ValueLayout.JAVA_LONG_UNALIGNED, 20), "a word at an unaligned offset is not a pointer");
        assertEquals(OLD + 16, params.get(ValueLayout.JAVA_LONG_UNALIGNED, 0), "the call's own buffer is left as it was");
        MemorySegment untouched = MemorySegment.ofArray(new byte[16]);
        assertSame(untouched, map.translateParams(untouched));
    }

    @Test
    void aGlobalLyingOnAnotherGlobalsVisibleAddressIsSeenAtAFreeOne() {
        map.expectNextAt(OLD);
        map.visible(module, "table", new AddressRange(NEW, 256));
        AddressRange other = map.visible(module, "other", new AddressRange(OLD + 64, 8));
        assertNotEquals(OLD + 64, other.base(), "OLD + 64 is inside the table its client sees");
        assertTrue(other.base() > NEW + 256 && other.base() > OLD + 256, other.toString());
        assertEquals(OLD + 64, map.actual(other.base()));
        assertEquals(NEW + 64, map.actual(OLD + 64));
    }
}
