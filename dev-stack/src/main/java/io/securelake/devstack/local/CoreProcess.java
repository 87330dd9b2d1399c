package io.securelake.devstack.local;

import io.securelake.contracts.CoreEndpoints;
import io.securelake.devstack.hdfs.EmbeddedHdfs;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentCatalog;
import io.securelake.kerberos.KerberosJvm;
import io.securelake.operations.connect.StackHome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;

/**
 * Entry point of the core child JVM started by {@code securelake up}: runs the {@link CoreStack}
 * until it is terminated, and announces readiness by writing {@code endpoints.json} atomically.
 */
public final class CoreProcess {
    /** Printed to the process log when the stack is usable. */
    public static final String READY_LINE = "SECURELAKE CORE READY";

    private CoreProcess() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: CoreProcess <envs-dir> <environment> <stack-home> <policies-dir>");
            System.exit(2);
        }
        Environment env = EnvironmentCatalog.of(Path.of(args[0])).load(args[1]);
        StackHome home = new StackHome(Path.of(args[2]));
        PolicyEnforcement policies = new PolicyEnforcement(Path.of(args[0]), Path.of(args[3]));
        CountDownLatch stopped = new CountDownLatch(1);
        CoreStack stack;
        try {
            // JVM-wide settings are this process's, made before the stack starts (CoreStack only checks them):
            // WebHDFS' JAXB on JDK 17 (the launcher passes it too), and the krb5.conf of the stack's realm.
            System.setProperty(EmbeddedHdfs.JAXB_NO_OPTIMIZE, "true");
            KerberosJvm.useKrb5Conf(CoreStack.writeKrb5Conf(env, home));
            stack = CoreStack.start(env, home, policies, msg -> System.out.println(Instant.now() + " " + msg));
        } catch (RuntimeException e) {
            System.out.println(Instant.now() + " core stack failed to start: " + e);
            e.printStackTrace(System.out);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println(Instant.now() + " stopping core stack of " + env.name());
            try {
                Files.deleteIfExists(home.endpointsFile());
            } catch (IOException ignored) {
                // the launcher also checks the PID, a leftover file is harmless
            }
            stack.close();
            stopped.countDown();
        }, "securelake-core-shutdown"));
        writeEndpoints(home, stack.endpoints());
        System.out.println(Instant.now() + " " + READY_LINE + " " + home.endpointsFile());
        stopped.await();
    }

    /** Atomically and owner-only: the launcher waits for this file, and it names every keytab. */
    static void writeEndpoints(StackHome home, CoreEndpoints endpoints) {
        endpoints.writeTo(home.endpointsFile());
    }
}
