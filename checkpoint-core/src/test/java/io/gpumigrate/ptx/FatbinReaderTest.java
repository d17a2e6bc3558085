package io.gpumigrate.ptx;

import net.jpountz.lz4.LZ4Factory;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fat binaries as older toolkits write them (plain or LZ4-compressed PTX), built here byte by byte. */
class FatbinReaderTest {

    private static final String PTX = ".version 8.0\n.target sm_80\n.address_size 64\n"
            + ".visible .entry empty()\n{\n\tret;\n}\n";

    /** One PTX entry: 64-byte entry header, then the payload padded to 8 bytes. */
    private static byte[] fatbin(byte[] payload, int compressedSize, long flags, long uncompressed) {
        int padded = (payload.length + 7) & ~7;
        ByteBuffer b = ByteBuffer.allocate(16 + 64 + padded).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(FatbinReader.MAGIC).putShort((short) 1).putShort((short) 16).putLong(64 + padded);
        b.putShort((short) 1).putShort((short) 0x101).putInt(64).putLong(padded);
        b.putInt(compressedSize).putInt(0).putInt(0x80000).putInt(80).putInt(0).putInt(0);
        b.putLong(flags).putLong(0).putLong(uncompressed);
        b.put(payload);
        return b.array();
    }

    @Test
    void plainPtxEntry() throws Exception {
        byte[] text = PTX.getBytes(StandardCharsets.UTF_8);
        List<FatbinReader.PtxEntry> entries = FatbinReader.ptxEntries(fatbin(text, 0, 0x11, 0));
        assertEquals(1, entries.size());
        assertEquals(80, entries.get(0).arch());
        assertEquals(PTX, entries.get(0).text());
    }

    @Test
    void lz4CompressedPtxEntry() throws Exception {
        byte[] text = PTX.getBytes(StandardCharsets.UTF_8);
        byte[] compressed = LZ4Factory.safeInstance().fastCompressor().compress(text);
        byte[] image = fatbin(compressed, compressed.length, 0x2011, text.length);
        assertTrue(FatbinReader.isFatbin(image));
        assertEquals(PTX, FatbinReader.ptxEntries(image).get(0).text());
    }

    @Test
    void truncatedImagesAreRejected() {
        byte[] image = fatbin(PTX.getBytes(StandardCharsets.UTF_8), 0, 0x11, 0);
        byte[] cut = Arrays.copyOf(image, 16 + 64 + 10);
        ByteBuffer.wrap(cut).order(ByteOrder.LITTLE_ENDIAN).putLong(8, 64 + 200);
        assertThrows(PtxSyntaxException.class, () -> FatbinReader.ptxEntries(cut));
    }
}
