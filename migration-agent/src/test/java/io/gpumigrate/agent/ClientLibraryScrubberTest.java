package io.gpumigrate.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class ClientLibraryScrubberTest {

    @Test
    void removesOurLibraryButKeepsNvidiasAndOtherPaths(@TempDir Path dir) throws Exception {
        Path ours = Files.createDirectories(dir.resolve("gpumigrate/lib/native"));
        byte[] ourBytes = new byte[200_000];
        byte[] marker = "getenv GPUMIGRATE_AGENT".getBytes();
        System.arraycopy(marker, 0, ourBytes, 65_530, marker.length); // straddles the scan's buffer boundary
        Files.write(ours.resolve("libcuda.so.1"), ourBytes);
        Path nvidia = Files.createDirectories(dir.resolve("nvidia"));
        Files.write(nvidia.resolve("libcuda.so.1"), new byte[100_000]);
        Path other = Files.createDirectories(dir.resolve("other"));

        Map<String, String> env = new HashMap<>();
        env.put("LD_LIBRARY_PATH", ours + ":" + nvidia + "::" + other);
        env.put("LD_PRELOAD", ours.resolve("libcuda.so.1").toString());
        env.put("GPUMIGRATE_AGENT", "127.0.0.1:7717");
        env.put("GPUMIGRATE_TOKEN_FILE", "/tmp/t");
        env.put("PATH", "/usr/bin");
        ClientLibraryScrubber.scrub(env);

        assertEquals(nvidia + ":" + other, env.get("LD_LIBRARY_PATH"));
        assertFalse(env.containsKey("LD_PRELOAD"));
        assertFalse(env.containsKey("GPUMIGRATE_AGENT"));
        assertFalse(env.containsKey("GPUMIGRATE_TOKEN_FILE"));
        assertEquals("/usr/bin", env.get("PATH"));
    }
}
