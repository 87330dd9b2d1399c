package io.securelake.tests.keys;

import io.securelake.contracts.CoreEndpoints;
import io.securelake.devstack.local.CoreStack;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentCatalog;
import io.securelake.hadoop.HadoopSecurity;
import io.securelake.operations.connect.StackClients;
import io.securelake.operations.connect.StackHome;
import io.securelake.operations.keys.KafkaDekRegistry;
import io.securelake.tests.CoreJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivilegedExceptionAction;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.security.UserGroupInformation;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One real dev core (KDC, Kafka, HDFS, KMS) shared by the key tests of one JUnit launcher run (surefire
 * may run each test class in its own: then each class starts one). Starting it costs most of their time. It announces itself in endpoints.json like the core process of 'securelake up'
 * does, so the CLI finds it exactly as it would find a stack started by 'up'.
 */
final class LiveDevStack implements ExtensionContext.Store.CloseableResource {
    static final Path ENVS_DIR = Path.of(System.getProperty("securelake.envs.dir", "../envs")).toAbsolutePath().normalize();

    final Path projectDir;
    final Environment env;
    final StackHome home;
    final CoreStack stack;
    final StackClients clients;
    final Configuration conf;

    private LiveDevStack(Path projectDir) {
        this.projectDir = projectDir;
        this.env = EnvironmentCatalog.of(ENVS_DIR).load("dev");
        this.home = StackHome.of(projectDir, "dev");
        this.stack = CoreStack.start(env, CoreJvm.prepare(env, home), msg -> System.out.println("[dev core] " + msg));
        this.clients = stack.clients();
        this.conf = clients.hdfsConfiguration();
        stack.endpoints().writeTo(home.endpointsFile());
    }

    CoreEndpoints endpoints() {
        return stack.endpoints();
    }

    /** The environment's key registry on Kafka as {@code principal} opens it (its state in memory; close it). */
    KafkaDekRegistry registry(String principal) {
        return KafkaDekRegistry.open(clients.kafkaProperties(principal), env.names().keyRegistryTopic(),
                env.names().keyChangesTopic(), java.time.Duration.ofSeconds(30));
    }

    UserGroupInformation login(String principal) {
        return clients.hdfsLogin(conf, principal);
    }

    static <T> T as(UserGroupInformation user, PrivilegedExceptionAction<T> action) throws IOException {
        return HadoopSecurity.doAs(user, action);
    }

    @Override
    public void close() throws IOException {
        stack.close();
        // Keytabs and keys live here: leave nothing behind in /tmp.
        try (Stream<Path> all = Files.walk(projectDir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Injects the shared stack, started on first use and stopped when the test run ends. */
    static final class Extension implements ParameterResolver {
        @Override
        public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
            return p.getParameter().getType() == LiveDevStack.class;
        }

        @Override
        public Object resolveParameter(ParameterContext p, ExtensionContext c) {
            return c.getRoot().getStore(ExtensionContext.Namespace.create(LiveDevStack.class))
                    .getOrComputeIfAbsent("dev", key -> {
                        try {
                            return new LiveDevStack(Files.createTempDirectory("securelake-keys-"));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }, LiveDevStack.class);
        }
    }
}
