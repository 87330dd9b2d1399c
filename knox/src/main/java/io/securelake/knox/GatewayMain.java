package io.securelake.knox;

import io.securelake.kerberos.KerberosJvm;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The gateway JVM of one environment:
 * <pre>
 * java -cp knox/target/securelake-knox.jar:knox/target/lib/* io.securelake.knox.GatewayMain --config gateway.json
 * </pre>
 * Starts the directory and Knox ({@link KnoxGateway}), writes {@code <state_dir>/ready.json} when the topology
 * answers, and stops cleanly on SIGTERM / SIGINT (removing ready.json, flushing the audit trail).
 * Exit codes: 0 stopped, 1 could not start, 2 usage or configuration error.
 */
public final class GatewayMain {
    /** Held: java.util.logging forgets levels of loggers nobody references. */
    private static final java.util.logging.Logger JAXB_LOG = java.util.logging.Logger.getLogger("com.sun.xml.bind");

    private GatewayMain() {
    }

    public static void main(String[] args) {
        Path configFile = parseArgs(args);
        GatewayConfig config;
        try {
            config = GatewayConfig.read(configFile);
        } catch (IllegalArgumentException e) {
            System.err.println("securelake knox: " + e.getMessage());
            System.exit(2);
            return;
        }
        // Before any Knox, JAXB or log4j class initialises (nothing above may log):
        // Knox 2.0.0's old jaxb-impl fails on JDK 17 without this.
        System.setProperty("com.sun.xml.bind.v2.bytecode.ClassTailor.noOptimize", "true");
        JAXB_LOG.setLevel(java.util.logging.Level.WARNING); // "optimized code generation is disabled": we know
        Path logs = config.logsDir();
        try {
            Secrets.ownerOnlyDirectory(config.stateDir());
            Secrets.ownerOnlyDirectory(logs);
        } catch (Exception e) {
            System.err.println("securelake knox: cannot create " + logs + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        System.setProperty("securelake.knox.logs", logs.toString());
        if (System.getProperty("log4j2.configurationFile") == null && System.getProperty("log4j.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "securelake-knox-log4j2.xml");
        }
        // What Knox and its directory read from the JVM (GATEWAY_HOME, Kerberos to the backends, ApacheDS' instance
        // directory) is this process's to set, here, before any of them starts; KnoxGateway only checks it.
        KnoxGateway.systemProperties(config).forEach(System::setProperty);
        if (config.kerberosToBackends()) {
            try {
                KerberosJvm.useKrb5Conf(config.krb5Conf());
            } catch (RuntimeException e) {
                System.err.println("securelake knox: cannot use krb5.conf " + config.krb5Conf() + ": " + e.getMessage());
                System.exit(1);
                return;
            }
        }
        int failed = run(config);
        if (failed != 0) {
            System.exit(failed);
        }
        // stopped by a signal: the JVM is exiting already (System.exit here would block)
    }

    static Path parseArgs(String[] args) {
        if (args.length == 2 && "--config".equals(args[0])) {
            return Path.of(args[1]);
        }
        System.err.println("usage: GatewayMain --config <gateway.json>");
        System.exit(2);
        return null;
    }

    private static int run(GatewayConfig config) {
        org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(GatewayMain.class);
        log.info("starting the {} gateway: {}", config.environment(), config);
        KnoxGateway gateway;
        try {
            gateway = KnoxGateway.start(config);
        } catch (Exception | LinkageError e) {
            log.error("the {} gateway could not start: {}", config.environment(), e.toString(), e);
            System.err.println("securelake knox: the " + config.environment() + " gateway could not start: " + e);
            shutdownLogging();
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            log.info("stopping the {} gateway", config.environment());
            gateway.close();
            stopped.countDown();
            shutdownLogging();
        }, "securelake-knox-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        System.out.println("securelake knox: " + gateway.ready().figures().url() + " ready (" + config.readyFile() + ")");
        System.out.flush();
        try {
            stopped.await(); // the main thread lives as long as the gateway
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static void shutdownLogging() {
        try {
            org.apache.logging.log4j.LogManager.shutdown();
        } catch (RuntimeException e) {
            // logging is going away with the JVM
        }
    }
}
