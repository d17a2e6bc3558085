package io.gpumigrate.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The workers' ahead-of-time cache: the JDK's AOT cache (JEP 483, 515) of the classes a worker
 * loads and links, lambdas included, while it takes a session in and sends it on. A worker
 * started from it does not load that code cold in its first migration's pause (on a small
 * machine that halved the pause of a small session). {@code gpumigrate train} records it.
 *
 * <p>A cache fits one Java runtime and one set of jars only, so its file name carries a key of
 * both ({@link #forThisRuntime}): another runtime or a rebuilt distribution looks for another
 * file, and runs its workers without one until it is trained. The cache directory is
 * {@value #DIR_ENV}, else {@code $XDG_CACHE_HOME/gpumigrate}, else {@code ~/.cache/gpumigrate}.
 * Immutable.
 */
public final class WorkerAotCache {

    /** The directory of the caches, when set. */
    public static final String DIR_ENV = "GPUMIGRATE_AOT_CACHE_DIR";

    /**
     * Every worker's module options, the same when the cache is recorded, created and used (the
     * JVM refuses a cache whose module options differ): native access for the CUDA backend (FFM),
     * and sun.misc.Unsafe for lz4-java's xxHash without the JDK's warning, whose stack walk
     * otherwise comes in the first migration's pause.
     */
    static final List<String> FIXED_OPTIONS = List.of("--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow");

    private static final String RECORDING_SUFFIX = ".aotconf";
    private static final long CREATE_TIMEOUT_SECONDS = 300;

    private final Path file;
    private final String classPath;

    private WorkerAotCache(Path file, String classPath) {
        this.file = file;
        this.classPath = classPath;
    }

    /** The cache for this process's Java runtime and class path, in {@code directory} (null: the default one). */
    public static WorkerAotCache forThisRuntime(Path directory) {
        String classPath = System.getProperty("java.class.path");
        Path dir = directory != null ? directory : defaultDirectory(System.getenv());
        return new WorkerAotCache(dir.resolve("worker-" + key(System.getProperty("java.home"),
                System.getProperty("java.vm.version"), classPath) + ".aot"), classPath);
    }

    static Path defaultDirectory(Map<String, String> env) {
        String set = env.get(DIR_ENV);
        if (set != null && !set.isBlank()) {
            return Path.of(set);
        }
        String xdg = env.get("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("gpumigrate");
    }

    /**
     * A digest of the runtime and of every class path entry's name, size and modification time
     * (not its directory: a distribution copied elsewhere whole keeps its cache).
     */
    static String key(String javaHome, String vmVersion, String classPath) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((javaHome + "\n" + vmVersion + "\n").getBytes(StandardCharsets.UTF_8));
            for (String entry : classPath.split(java.io.File.pathSeparator)) {
                if (entry.isEmpty()) {
                    continue;
                }
                Path p = Path.of(entry);
                String stamp;
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                    stamp = a.size() + "@" + a.lastModifiedTime().toMillis();
                } catch (IOException e) {
                    stamp = "missing";
                }
                Path name = p.getFileName();
                sha.update(((name == null ? entry : name.toString()) + ":" + stamp + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    public Path file() {
        return file;
    }

    /** Whether a cache has been trained for this runtime and class path. */
    public boolean present() {
        return Files.isRegularFile(file);
    }

    /**
     * The JVM options a worker starts with: {@code requested} (the agent's options for its
     * workers) behind the cache's, when one is present and {@code requested} does not record one.
     */
    List<String> workerOptions(List<String> requested) {
        List<String> options = new ArrayList<>();
        if (present() && requested.stream().noneMatch(o -> o.startsWith("-XX:AOT"))) {
            options.add("-XX:AOTCache=" + file);
        }
        options.addAll(requested);
        return options;
    }

    /** Worker options that record what each worker loads, into {@code directory}, one file per process. */
    public static List<String> recordingOptions(Path directory) {
        return List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=" + directory.resolve("worker-%p" + RECORDING_SUFFIX));
    }

    /**
     * The largest recording in {@code directory} (the worker that loaded most: one that took a
     * session in and sent it on), if any.
     */
    public static Optional<Path> largestRecording(Path directory) throws IOException {
        try (var files = Files.list(directory)) {
            return files.filter(f -> f.getFileName().toString().endsWith(RECORDING_SUFFIX))
                    .filter(f -> f.toFile().length() > 0)
                    .max(Comparator.comparingLong(f -> f.toFile().length()));
        }
    }

    /**
     * Deletes the other caches in this cache's directory (other runtimes or older builds, named
     * {@code worker-*.aot}) and any left-over {@code .partial} file; returns the deleted files.
     * An agent still running an older build then starts its workers without a cache: slower, not
     * broken, as agents look for their cache at each start. Other files are left alone.
     */
    public List<Path> pruneOthers() throws IOException {
        Path dir = file.getParent();
        List<Path> deleted = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return deleted;
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                boolean cache = name.startsWith("worker-") && (name.endsWith(".aot") || name.endsWith(".aot.partial"));
                if (cache && !f.equals(file) && Files.isRegularFile(f) && Files.deleteIfExists(f)) {
                    deleted.add(f);
                }
            }
        }
        return deleted;
    }

    /**
     * Creates the cache from {@code recording} with this process's runtime and class path: into a
     * temporary file beside it, moved into place once complete (a failure leaves any cache there
     * as it was). Returns the cache's size in bytes.
     *
     * @throws IOException naming what the JVM said when it could not create it
     */
    public long create(Path recording) throws IOException, InterruptedException {
        Files.createDirectories(file.getParent());
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(FIXED_OPTIONS);
        command.addAll(List.of("-XX:AOTMode=create", "-XX:AOTConfiguration=" + recording, "-XX:AOTCache=" + partial,
                "-cp", classPath));
        Path output = Files.createTempFile("gpumigrate-aot-create", ".txt");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!p.waitFor(CREATE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("creating the AOT cache took over " + CREATE_TIMEOUT_SECONDS + " s");
            }
            if (p.exitValue() != 0 || !Files.isRegularFile(partial)) {
                throw new IOException("the JVM could not create the AOT cache (exit " + p.exitValue() + "): "
                        + Files.readString(output).strip());
            }
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return Files.size(file);
        } finally {
            Files.deleteIfExists(output);
            Files.deleteIfExists(partial);
        }
    }
}
