package io.gpumigrate.device.cuda;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ModuleImageTest {

    @Test
    void ptxIsNulTerminatedExactlyOnce() {
        byte[] text = ".version 9.0\n.target sm_90\n".getBytes(StandardCharsets.UTF_8);
        ModuleImage image = ModuleImage.of(text);
        assertEquals(ModuleImage.Kind.PTX, image.kind());
        assertEquals(text.length + 1, image.bytes().length);
        assertEquals(0, image.bytes()[text.length]);
        assertEquals(".version 9.0\n.target sm_90\n", image.ptxText());
        assertArrayEquals(image.bytes(), ModuleImage.of(image.bytes()).bytes(), "already terminated");
    }

    @Test
    void elfIsACubinAndTheFatbinMagicAFatBinary() {
        byte[] elf = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0x33};
        assertEquals(ModuleImage.Kind.CUBIN, ModuleImage.of(elf).kind());
        assertArrayEquals(elf, ModuleImage.of(elf).bytes(), "binary images are passed unchanged");
        byte[] fatbin = {0x50, (byte) 0xED, 0x55, (byte) 0xBA, 1, 0, 0x10, 0};
        assertEquals(ModuleImage.Kind.FATBIN, ModuleImage.of(fatbin).kind());
        assertEquals(ModuleImage.Kind.PTX, ModuleImage.of(new byte[] {0x7f, 'E'}).kind(), "too short for the magic");
    }
}
