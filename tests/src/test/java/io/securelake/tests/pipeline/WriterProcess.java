package io.securelake.tests.pipeline;

import io.securelake.kerberos.KerberosJvm;
import io.securelake.lakewriter.LakeWriterMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A writer child JVM whose stdout feeds a {@link Progress}. */
final class WriterProcess {
    final Process process;
    final Progress progress = new Progress();

    WriterProcess(PipelineFixture fx, Path stateDir, Path log) throws IOException {
        this(fx, stateDir, log, List.of("roll.interval.ms=700", "roll.max.bytes=1048576", "status.interval.ms=500"));
    }

    WriterProcess(PipelineFixture fx, Path stateDir, Path log, List<String> settings) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx384m", "-Djava.net.preferIPv4Stack=true",
                KerberosJvm.REQUIRED_FLAG.split(" ")[0], KerberosJvm.REQUIRED_FLAG.split(" ")[1]));
        // e.g. a profiler for benchmarks: -Dbench.writer.jvmArgs=-XX:StartFlightRecording=filename=/tmp/w.jfr
        String extra = System.getProperty("bench.writer.jvmArgs", "");
        if (!extra.isBlank()) {
            cmd.addAll(List.of(extra.strip().split("\\s+")));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), LakeWriterMain.class.getName(),
                "--env", fx.env.name(), "--envs-dir", fx.envsDir.toString(),
                "--endpoints", fx.endpointsFile.toString(), "--state-dir", stateDir.toString()));
        for (String s : settings) {
            cmd.add("--set");
            cmd.add(s);
        }
        process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    progress.acceptLine(line);
                }
            } catch (IOException ignored) {
                // the process died: that is the point of this test
            } finally {
                progress.end();
            }
        }, "writer-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    void sigkill() throws InterruptedException {
        process.destroyForcibly(); // SIGKILL on Unix: no shutdown hook, no flush
        process.waitFor();
    }
}
