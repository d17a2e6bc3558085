package io.gpumigrate.device.cuda;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What kind of code image a module is loaded from, told by its first bytes, and the bytes to
 * hand to {@code cuModuleLoadDataEx} (PTX must end with a NUL, the driver reads it as a C
 * string).
 *
 * @param kind  the image's kind
 * @param bytes the image as the driver takes it
 */
record ModuleImage(Kind kind, byte[] bytes) {

    enum Kind { PTX, CUBIN, FATBIN }

    /** {@code 0x7f 'E' 'L' 'F'}: a cubin is an ELF file. */
    private static final byte[] ELF_MAGIC = {0x7f, 'E', 'L', 'F'};
    /** A fat binary's header magic {@code 0xBA55ED50}, little-endian. */
    private static final byte[] FATBIN_MAGIC = {0x50, (byte) 0xED, 0x55, (byte) 0xBA};

    /** Classifies {@code image}; anything not ELF nor fat binary is taken as PTX text. */
    static ModuleImage of(byte[] image) {
        if (startsWith(image, ELF_MAGIC)) {
            return new ModuleImage(Kind.CUBIN, image);
        }
        if (startsWith(image, FATBIN_MAGIC)) {
            return new ModuleImage(Kind.FATBIN, image);
        }
        boolean terminated = image.length > 0 && image[image.length - 1] == 0;
        return new ModuleImage(Kind.PTX, terminated ? image : Arrays.copyOf(image, image.length + 1));
    }

    /** The PTX text without its terminating NUL; only for {@link Kind#PTX}. */
    String ptxText() {
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] == 0) {
            end--;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    private static boolean startsWith(byte[] image, byte[] magic) {
        return image.length >= magic.length && Arrays.equals(image, 0, magic.length, magic, 0, magic.length);
    }
}
