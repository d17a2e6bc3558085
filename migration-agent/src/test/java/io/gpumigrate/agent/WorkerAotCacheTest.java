package io.gpumigrate.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerAotCacheTest {

    @TempDir
    Path tmp;

    private Path jar(Path dir, String name, String content, long mtime) throws Exception {
        Files.createDirectories(dir);
        Path p = Files.writeString(dir.resolve(name), content);
        Files.setLastModifiedTime(p, FileTime.fromMillis(mtime));
        return p;
    }

    private static String classPath(Path... entries) {
        return String.join(File.pathSeparator, java.util.Arrays.stream(entries).map(Path::toString).toList());
    }

    @Test
    void keyFollowsTheRuntimeAndTheJarsButNotWhereTheDistributionLies() throws Exception {
        String cp = classPath(jar(tmp.resolve("a/lib"), "x.jar", "one", 1_000_000), jar(tmp.resolve("a/lib"), "y.jar", "two", 2_000_000));
        String moved = classPath(jar(tmp.resolve("b/lib"), "x.jar", "one", 1_000_000), jar(tmp.resolve("b/lib"), "y.jar", "two", 2_000_000));
        String key = WorkerAotCache.key("/jdk", "25.0.3+9", cp);

        assertTrue(key.matches("[0-9a-f]{16}"), key);
        assertEquals(key, WorkerAotCache.key("/jdk", "25.0.3+9", cp));
        assertEquals(key, WorkerAotCache.key("/jdk", "25.0.3+9", moved), "a distribution copied whole keeps its cache");
        assertNotEquals(key, WorkerAotCache.key("/other-jdk", "25.0.3+9", cp));
        assertNotEquals(key, WorkerAotCache.key("/jdk", "25.0.4+1", cp));

        jar(tmp.resolve("b/lib"), "y.jar", "two!", 2_000_000);
        assertNotEquals(key, WorkerAotCache.key("/jdk", "25.0.3+9", moved), "a jar of another size");
        jar(tmp.resolve("b/lib"), "y.jar", "two", 3_000_000);
        assertNotEquals(key, WorkerAotCache.key("/jdk", "25.0.3+9", moved), "a rebuilt jar");
    }

    @Test
    void workersGetTheCacheOnlyWhenItIsThereAndNobodyRecordsOne() throws Exception {
        WorkerAotCache cache = WorkerAotCache.forThisRuntime(tmp);
        assertEquals(tmp, cache.file().getParent());
        List<String> asked = List.of("-Xmx1g");
        assertEquals(asked, cache.workerOptions(asked), "no cache trained yet");

        Files.writeString(cache.file(), "cache");
        assertEquals(List.of("-XX:AOTCache=" + cache.file(), "-Xmx1g"), cache.workerOptions(asked));
        List<String> recording = WorkerAotCache.recordingOptions(tmp.resolve("rec"));
        assertEquals(recording, cache.workerOptions(recording), "a training run records, it does not use a cache");
    }

    @Test
    void theCacheDirectoryIsTheVariableThenXdgThenHome() {
        assertEquals(Path.of("/c"), WorkerAotCache.defaultDirectory(Map.of(WorkerAotCache.DIR_ENV, "/c", "XDG_CACHE_HOME", "/x")));
        assertEquals(Path.of("/x/gpumigrate"), WorkerAotCache.defaultDirectory(Map.of("XDG_CACHE_HOME", "/x")));
        assertEquals(Path.of(System.getProperty("user.home"), ".cache", "gpumigrate"),
                WorkerAotCache.defaultDirectory(Map.of()));
    }

    @Test
    void theLargestNonEmptyRecordingIsChosen() throws Exception {
        assertEquals(Optional.empty(), WorkerAotCache.largestRecording(tmp));
        Files.writeString(tmp.resolve("worker-pid1.aotconf"), "small");
        Files.writeString(tmp.resolve("worker-pid2.aotconf"), "the larger one");
        Files.writeString(tmp.resolve("worker-pid3.aotconf"), "");
        Files.writeString(tmp.resolve("notes.txt"), "not a recording, though the longest file here");
        Files.createDirectories(tmp.resolve("node-a.aotconf.d"));
        assertEquals(Optional.of(tmp.resolve("worker-pid2.aotconf")), WorkerAotCache.largestRecording(tmp));
    }

    @Test
    void aCacheThatCannotBeCreatedSaysWhyAndLeavesNothingBehind() throws Exception {
        WorkerAotCache cache = WorkerAotCache.forThisRuntime(tmp.resolve("caches"));
        Path bogus = Files.writeString(tmp.resolve("bogus.aotconf"), "not a recording");
        java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> cache.create(bogus));
        assertTrue(e.getMessage().contains("could not create"), e.getMessage());
        try (var files = Files.list(tmp.resolve("caches"))) {
            assertEquals(List.of(), files.toList());
        }
    }

    @Test
    void pruningDeletesTheOtherCachesOnly() throws Exception {
        WorkerAotCache cache = WorkerAotCache.forThisRuntime(tmp);
        Files.writeString(cache.file(), "this runtime's cache");
        Path older = Files.writeString(tmp.resolve("worker-0123456789abcdef.aot"), "an older build's");
        Path partial = Files.writeString(tmp.resolve("worker-fedcba9876543210.aot.partial"), "a create that died");
        Path unrelated = Files.writeString(tmp.resolve("notes.aot"), "not ours");
        Files.createDirectories(tmp.resolve("worker-dir.aot"));

        assertEquals(java.util.Set.of(older, partial), java.util.Set.copyOf(cache.pruneOthers()));
        assertTrue(cache.present());
        assertTrue(Files.exists(unrelated));
        assertTrue(Files.isDirectory(tmp.resolve("worker-dir.aot")));
        assertEquals(List.of(), cache.pruneOthers(), "nothing left to prune");
        assertEquals(List.of(), WorkerAotCache.forThisRuntime(tmp.resolve("none")).pruneOthers(), "no directory yet");
    }
}
