package io.gpumigrate.ptx.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The conformance kernels on the test class path: each {@code NAME.cu} (or LLVM IR {@code NAME.ll}) with its generated {@code NAME.ptx}. */
final class PtxCorpus {

    private PtxCorpus() {
    }

    /** The directory holding the .cu and .ptx files (test resources are plain files under surefire). */
    static Path directory() {
        URL url = PtxCorpus.class.getResource("/conformance/regen-ptx.sh");
        if (url == null) {
            throw new IllegalStateException("conformance/regen-ptx.sh is not on the test class path");
        }
        try {
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Names (without extension) of the nvcc-generated modules, sorted. */
    static List<String> moduleNames() {
        try (Stream<Path> files = Files.list(directory())) {
            return files.map(p -> p.getFileName().toString())
                    .filter(f -> f.endsWith(".ptx"))
                    .map(f -> f.substring(0, f.length() - 4))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean exists(String fileName) {
        return Files.isRegularFile(directory().resolve(fileName));
    }

    static String read(String fileName) {
        try {
            return Files.readString(directory().resolve(fileName));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
