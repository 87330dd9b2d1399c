package io.securelake.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No production source file grows past {@value #MAX_LINES} lines: past that size a class has become several things
 * (the lake-writer once held its config, login, batching, commit protocol, repair and metrics in 1,000 lines). Split
 * it by reason to change instead of raising the limit.
 */
class ClassSizeTest {
    static final int MAX_LINES = 600;

    @Test
    void noMainSourceFileIsOverTheLimit() throws IOException {
        Path project = Path.of(System.getProperty("securelake.project.dir", "..")).toAbsolutePath().normalize();
        List<Path> sources;
        try (Stream<Path> modules = Files.list(project)) {
            sources = modules.map(m -> m.resolve("src/main/java")).filter(Files::isDirectory)
                    .flatMap(ClassSizeTest::javaFiles).toList();
        }
        assertThat(sources).as("main sources under " + project).hasSizeGreaterThan(100);
        List<String> tooLong = sources.stream()
                .filter(f -> lines(f) > MAX_LINES)
                .map(f -> project.relativize(f) + " (" + lines(f) + " lines)")
                .toList();
        assertThat(tooLong).as("main source files over " + MAX_LINES + " lines").isEmpty();
    }

    private static Stream<Path> javaFiles(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(p -> p.toString().endsWith(".java")).toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long lines(Path file) {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
