package io.securelake.devstack.local;

import io.securelake.contracts.supervision.CoreComponent;
import io.securelake.devstack.hdfs.EmbeddedHdfs;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentCatalog;
import io.securelake.kerberos.KerberosJvm;
import io.securelake.operations.connect.StackHome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Entry point of the JVM of one of the core's components ({@link CoreComponent}): runs it until terminated and
 * announces readiness by writing its ready file ({@link StackHome#componentReadyFile}) with its PID. A kill -9 of
 * this process takes that one component down, and the supervisor starts it again alone.
 */
public final class ComponentProcess {
    /** Printed to the process log when the component serves. */
    public static final String READY_LINE = "SECURELAKE COMPONENT READY";
    private static final Duration WATCH_EVERY = Duration.ofSeconds(5);

    private ComponentProcess() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5 || CoreComponent.of(args[0]).isEmpty()) {
            System.err.println("usage: ComponentProcess <" + String.join("|", CoreComponent.names())
                    + "> <envs-dir> <environment> <stack-home> <policies-dir>");
            System.exit(2);
        }
        CoreComponent component = CoreComponent.of(args[0]).orElseThrow();
        Environment env = EnvironmentCatalog.of(Path.of(args[1])).load(args[2]);
        StackHome home = new StackHome(Path.of(args[3]));
        PolicyEnforcement policies = new PolicyEnforcement(Path.of(args[1]), Path.of(args[4]));
        Path ready = home.componentReadyFile(component.wire());
        CountDownLatch stopped = new CountDownLatch(1);
        CoreParts.Started running;
        try {
            Files.deleteIfExists(ready);
            // JVM-wide settings are this process's, made before anything starts: WebHDFS' JAXB on JDK 17, and the
            // krb5.conf of the stack's realm (the starter wrote it; a component only reads it).
            System.setProperty(EmbeddedHdfs.JAXB_NO_OPTIMIZE, "true");
            KerberosJvm.useKrb5Conf(home.krb5Conf());
            CoreLayout layout = CoreLayout.load(env, home, policies);
            running = CoreParts.start(component, layout, msg -> System.out.println(Instant.now() + " " + msg));
        } catch (RuntimeException | Error e) {
            System.out.println(Instant.now() + " the " + component.description() + " failed to start: " + e);
            e.printStackTrace(System.out);
            // halt, not exit: the half-started server's own shutdown hooks could block the end of the process
            Runtime.getRuntime().halt(1);
            return;
        }
        java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping.set(true); // a component being stopped stops serving: not the watchdog's business
            System.out.println(Instant.now() + " stopping the " + component.description() + " of " + env.name());
            try {
                Files.deleteIfExists(ready);
            } catch (IOException ignored) {
                // the starter also checks the PID: a leftover file is harmless
            }
            try {
                running.part().close();
            } catch (Exception e) {
                System.out.println(Instant.now() + " stopping the " + component.description() + " failed: " + e);
            }
            stopped.countDown();
        }, "securelake-" + component.wire() + "-shutdown"));
        ProcessRecord.of(ProcessHandle.current()).write(ready);
        System.out.println(Instant.now() + " " + READY_LINE + " " + component.wire());
        watch(component, running, stopping);
        stopped.await();
    }

    /**
     * Ends the process when its component stopped serving inside it, so that the supervisor, which watches the
     * process, starts it again: a process alive around a dead server would be reported running for ever.
     */
    private static void watch(CoreComponent component, CoreParts.Started running,
                              java.util.concurrent.atomic.AtomicBoolean stopping) {
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "securelake-" + component.wire() + "-watchdog");
            t.setDaemon(true);
            return t;
        });
        watchdog.scheduleWithFixedDelay(() -> {
            if (!stopping.get() && !running.serving().getAsBoolean()) {
                System.out.println(Instant.now() + " the " + component.description() + " stopped serving inside its "
                        + "process; ending the process so that its supervisor starts it again");
                Runtime.getRuntime().halt(3);
            }
        }, WATCH_EVERY.toMillis(), WATCH_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }
}
