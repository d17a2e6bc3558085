package io.gpumigrate.ptx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Device printf formatting over an argument buffer laid out as nvcc lays it out. */
class DeviceFormatterTest {

    private static DeviceFormatter.Result format(String fmt, ByteBuffer args, Map<Long, String> strings) {
        return DeviceFormatter.format(fmt, (addr, size) -> switch (size) {
            case 4 -> args.getInt((int) addr) & 0xFFFF_FFFFL;
            default -> args.getLong((int) addr);
        }, strings::get, 0);
    }

    @Test
    void formatsIntegersDoublesAndStringsAtTheirAlignment() {
        ByteBuffer args = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        args.putInt(0, -7);                 // %d
        args.putDouble(8, 2.5);             // %.2f, aligned to 8 after the int
        args.putInt(16, 0xFFFF_FFFE);       // %u
        args.putLong(24, 0x1000L);          // %s pointer
        args.putLong(32, 255L);             // %lx
        DeviceFormatter.Result r = format("a=%d b=%.2f c=%u s=%-4s| x=%lx %%\n", args, Map.of(0x1000L, "hi"));
        assertEquals("a=-7 b=2.50 c=4294967294 s=hi  | x=ff %\n", r.text());
        assertEquals(5, r.arguments());
    }

    @Test
    void keepsAnUnknownConversionVerbatim() {
        ByteBuffer args = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("v=%q", format("v=%q", args, Map.of()).text());
        assertEquals("no args", format("no args", args, Map.of()).text());
    }
}
