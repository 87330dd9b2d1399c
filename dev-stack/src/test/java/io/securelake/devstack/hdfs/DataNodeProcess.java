package io.securelake.devstack.hdfs;

import io.securelake.devstack.tls.TlsMaterial;
import io.securelake.envs.Environment;
import io.securelake.kerberos.KerberosJvm;
import io.securelake.testsupport.ShippedEnvironments;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A DataNode in a JVM of its own, as the local stack's supervisor will run it: a child JVM on this test's class path
 * whose main starts an {@link EmbeddedDataNode}, prints {@value #READY} once it is registered, and runs until its
 * standard input closes or it is killed. Its only JVM settings are the krb5.conf and the environments directory: no
 * JAXB switch, no conf dir on the class path.
 */
final class DataNodeProcess implements AutoCloseable {
    static final String READY = "DATANODE READY";

    private final Process process;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final StringBuffer output = new StringBuffer();

    private DataNodeProcess(Process process) {
        this.process = process;
        Thread drain = new Thread(this::drain, "datanode-process-output");
        drain.setDaemon(true);
        drain.start();
    }

    /** Starts the child and returns once its DataNode has registered with the NameNode of {@code s}. */
    static DataNodeProcess start(Path krb5Conf, Environment env, HdfsSettings s, Path tlsDir, Duration timeout)
            throws Exception {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElseThrow(),
                "-cp", System.getProperty("java.class.path"),
                "-D" + ShippedEnvironments.ENVS_DIR_PROPERTY + "=" + ShippedEnvironments.envsDir(),
                DataNodeProcess.class.getName(),
                krb5Conf.toString(), env.name(), s.host(), Integer.toString(s.nameNodePort()),
                Integer.toString(s.nameNodeHttpsPort()), s.dataDir().toString(), s.confDir().toString(),
                s.hdfsPrincipal(), s.hdfsKeytab().toString(), s.httpPrincipal(), s.httpKeytab().toString(),
                tlsDir.toString()));
        DataNodeProcess child = new DataNodeProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
        try {
            child.ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return child;
        } catch (Exception e) {
            child.kill();
            throw new IllegalStateException("the DataNode process did not become ready:\n" + child.output, e);
        }
    }

    private void drain() {
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                output.append(line).append('\n');
                if (line.equals(READY)) {
                    ready.complete(null);
                }
            }
        } catch (IOException e) {
            // the child is gone: nothing more to read
        }
        ready.completeExceptionally(new IllegalStateException("the DataNode process ended"));
    }

    /** {@code kill -9}: no shutdown hook, no clean stop of the DataNode. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }

    public static void main(String[] args) throws Exception {
        KerberosJvm.useKrb5Conf(Path.of(args[0]));
        Environment env = ShippedEnvironments.load(args[1]);
        TlsMaterial tls = TlsMaterial.load(Path.of(args[11])).orElseThrow();
        HdfsSettings s = new HdfsSettings(args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]), Path.of(args[5]),
                Path.of(args[6]), args[7], Path.of(args[8]), args[9], Path.of(args[10]), tls, Map.of());
        try (EmbeddedDataNode dataNode = EmbeddedDataNode.start(env, s, Duration.ofSeconds(60))) {
            System.out.println(READY);
            System.out.flush();
            // Runs until the parent closes our standard input (or kills us, the case under test).
            while (System.in.read() >= 0) {
                // discard
            }
        }
    }
}
