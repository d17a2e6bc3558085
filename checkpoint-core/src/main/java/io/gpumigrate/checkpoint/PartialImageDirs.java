package io.gpumigrate.checkpoint;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The temporary directories that checkpoint images are written in before they are renamed into
 * place: {@code .NAME.partial-HOST-PID-ID} beside the image {@code NAME}, named after the host and
 * the process that writes it. A writer removes it when it fails, but a process killed outright
 * (SIGKILL, a node's power) leaves it behind; the next image written in that directory removes
 * those left by processes of this host that no longer run. One of another host (a shared file
 * system) or of a process that still runs is never touched.
 */
final class PartialImageDirs {

    private static final Pattern NAME = Pattern.compile("\\..+\\.partial-(.+)-(\\d+)-[0-9a-f]+");
    /** This host, as the directories' names say it. */
    static final String HOST = hostName();

    private PartialImageDirs() {
    }

    /** A new temporary directory's path for the image {@code target} (absolute); not created. */
    static Path forImage(Path target) {
        return target.resolveSibling("." + target.getFileName() + ".partial-" + HOST + "-"
                + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().replace("-", ""));
    }

    /**
     * Deletes, in {@code parent}, every temporary image directory left by a process of this host
     * that has ended. Best effort: one that cannot be deleted is left for the next time.
     *
     * @return the directories deleted
     */
    static List<Path> sweep(Path parent) {
        List<Path> removed = new ArrayList<>();
        if (parent == null || !Files.isDirectory(parent)) {
            return removed;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent, ".*.partial-*")) {
            for (Path entry : entries) {
                if (leftByEndedProcess(entry.getFileName().toString()) && Files.isDirectory(entry)) {
                    try {
                        FileTrees.delete(entry);
                        if (!Files.exists(entry)) {
                            removed.add(entry);
                        }
                    } catch (IOException e) {
                        // left for the next sweep
                    }
                }
            }
        } catch (IOException e) {
            // an unreadable directory: the image is written anyway, or fails for its own reason
        }
        return removed;
    }

    /** Whether {@code name} is a temporary image directory of this host whose process has ended. */
    static boolean leftByEndedProcess(String name) {
        Matcher m = NAME.matcher(name);
        if (!m.matches() || !m.group(1).equals(HOST)) {
            return false;
        }
        long pid;
        try {
            pid = Long.parseLong(m.group(2));
        } catch (NumberFormatException e) {
            return false;
        }
        return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    }

    /** This host's name as the kernel has it, without characters a file name should not hold. */
    private static String hostName() {
        String name;
        try {
            name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException | RuntimeException e) {
            name = System.getenv().getOrDefault("HOSTNAME", "");
        }
        name = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "_");
        return name.isEmpty() ? "localhost" : name;
    }
}
