package io.gpumigrate.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The runnable distribution this command belongs to ({@code cli/target/gpumigrate}):
 * {@code bin/gpumigrate}, {@code lib/*.jar}, {@code lib/native/libcuda.so.1} (the client
 * library) and {@code workloads/} (test workloads). Found through the system property
 * {@value #HOME_PROPERTY}, which {@code bin/gpumigrate} sets, else from the jar this class
 * was loaded from. Immutable.
 */
record Distribution(Path home) {

    static final String HOME_PROPERTY = "gpumigrate.home";
    static final String CLIENT_LIBRARY = "libcuda.so.1";

    static Distribution locate() throws CliException {
        String property = System.getProperty(HOME_PROPERTY);
        if (property != null && !property.isBlank()) {
            return new Distribution(Path.of(property).toAbsolutePath());
        }
        try {
            Path jar = Path.of(Distribution.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isRegularFile(jar) && jar.getParent() != null && jar.getParent().getParent() != null) {
                return new Distribution(jar.getParent().getParent());
            }
        } catch (URISyntaxException | RuntimeException e) {
            // fall through to the error below
        }
        throw new CliException("cannot tell where the gpumigrate distribution is: run bin/gpumigrate,"
                + " or set -D" + HOME_PROPERTY + "=DIR");
    }

    Path nativeDir() {
        return home.resolve("lib").resolve("native");
    }

    Path workloads() {
        return home.resolve("workloads");
    }

    /** The client library directory, checked to hold {@value #CLIENT_LIBRARY}. */
    Path requireClientLibrary() throws CliException {
        Path library = nativeDir().resolve(CLIENT_LIBRARY);
        if (!Files.isRegularFile(library)) {
            throw new CliException("the client library " + library + " is missing; build the distribution"
                    + " with 'mvn package' (native/ builds it)");
        }
        return nativeDir();
    }
}
