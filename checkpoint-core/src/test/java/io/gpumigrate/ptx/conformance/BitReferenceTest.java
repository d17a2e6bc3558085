package io.gpumigrate.ptx.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Checks the suite's own bit-instruction reference (no backend) against closed forms where those are simple. */
class BitReferenceTest {

    @Test
    void agreesWithClosedForms() {
        Random random = new Random(88);
        for (int i = 0; i < 2000; i++) {
            int x = random.nextInt(), y = random.nextInt();
            int pos = random.nextInt(32), len = 1 + random.nextInt(32 - pos);
            long mask = len == 32 ? 0xffffffffL : (1L << len) - 1;
            assertEquals((x >>> pos) & mask, BitReference.bfe(x, pos, len, 32, false), "bfe.u32");
            assertEquals((x << (32 - pos - len)) >> (32 - len), (int) BitReference.bfe(x, pos, len, 32, true), "bfe.s32");
            int inserted = (int) ((y & ~(mask << pos)) | ((x & mask) << pos));
            assertEquals(inserted, (int) BitReference.bfi(x, y, pos, len, 32), "bfi.b32");
            assertEquals(31 - Integer.numberOfLeadingZeros(x), x == 0 ? -1 : BitReference.bfind(x, 32, false, false), "bfind.u32");
            assertEquals(x, BitReference.prmt(x, y, 0x3210, BitReference.GENERIC), "prmt identity");
            assertEquals(y, BitReference.prmt(x, y, 0x7654, BitReference.GENERIC), "prmt selects b");
            assertEquals(Integer.reverseBytes(x), BitReference.prmt(x, y, 0x0123, BitReference.GENERIC), "prmt byte swap");
            assertEquals(x, BitReference.prmt(x, y, 0, BitReference.F4E), "f4e with selector 0 is a");
            assertEquals(BitReference.prmt(x, y, 1, BitReference.ECL), BitReference.prmt(x, y, 0x7ffffffd, BitReference.ECL),
                    "the special modes read only bits 1:0 of the selector");
            assertEquals((int) ((((long) y << 32) | (x & 0xffffffffL)) >>> 8), BitReference.prmt(x, y, 1, BitReference.F4E),
                    "f4e with selector 1 is the 4 bytes starting at byte 1 of {b, a}");
        }
        assertEquals(0xffffff80, BitReference.prmt(0x80, 0, 0x8880, BitReference.GENERIC), "msb of a selector replicates the sign");
        assertEquals(0, BitReference.bfe(-1, 40, 5, 32, false), "start beyond the msb gives the (zero) sign fill");
        assertEquals(-1L, BitReference.bfe(-1, 31, 200, 64, true), "a signed field extends its sign");
    }
}
