package io.securelake.devstack.local;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the built modules that run in JVMs of their own (Spark's query server and ETL jobs, the Knox
 * gateway) are: {@code <project>/<module>/target/securelake-<module>.jar} plus {@code target/lib/}.
 * Their class paths differ from the platform's on purpose (Spark brings a shaded Hadoop 3.3, Knox its own
 * Jetty and Shiro), so the platform starts them as child JVMs instead of depending on them.
 */
public record Distribution(Path projectDir) {
    /** The project directory {@code bin/securelake} passes as {@code -Dsecurelake.project.dir}. */
    public static Distribution fromSystemProperty() {
        String dir = System.getProperty("securelake.project.dir");
        if (dir == null || dir.isBlank()) {
            throw new IllegalStateException("securelake.project.dir is not set: run securelake through bin/securelake");
        }
        return new Distribution(Path.of(dir).toAbsolutePath().normalize());
    }

    /** The class path of a module's own JVM; fails with the command that builds it when it is absent. */
    public String classPath(String module) {
        Path jar = projectDir.resolve(module).resolve("target").resolve("securelake-" + module + ".jar");
        Path lib = projectDir.resolve(module).resolve("target").resolve("lib");
        if (!Files.isRegularFile(jar) || !Files.isDirectory(lib)) {
            throw new IllegalStateException(module + " is not built (" + jar + " or " + lib + " is missing): run "
                    + "'mvn -B -DskipTests package' in " + projectDir);
        }
        return jar + java.io.File.pathSeparator + lib + java.io.File.separator + "*";
    }

    /** The files of a module's class path (its jar, its lib directory and every jar in it), for access checks. */
    public java.util.List<Path> classPathEntries(String module) {
        classPath(module); // fails with the build command when absent
        Path jar = projectDir.resolve(module).resolve("target").resolve("securelake-" + module + ".jar");
        Path lib = projectDir.resolve(module).resolve("target").resolve("lib");
        java.util.List<Path> entries = new java.util.ArrayList<>(java.util.List.of(jar, lib));
        try (java.util.stream.Stream<Path> jars = Files.list(lib)) {
            jars.sorted().forEach(entries::add);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot list " + lib, e);
        }
        return entries;
    }
}
