package io.securelake.warehouse.spark;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;

/** Process-wide settings every Spark JVM of securelake makes first, before any Kerberos class loads. */
public final class SparkJvm {
    private SparkJvm() {
    }

    /**
     * The JDK reads krb5.conf once per JVM, on first use: it must be set before Hadoop or Spark touch
     * Kerberos. Derby's log goes beside the metastore instead of the working directory.
     *
     * <p>{@code javax.security.auth.useSubjectCredsOnly} stays at its default (true): JGSS then keeps the service
     * tickets it obtains in the login user's Subject and reuses them. Set to false, every new connection to the
     * NameNode (Hadoop closes idle ones after 10 s) asked the KDC for a ticket again, so a query server stopped
     * answering the moment the KDC went away, although its tickets were good for hours.
     */
    public static void prepare(Path krb5Conf, Path stateDir) {
        System.setProperty("java.security.krb5.conf", krb5Conf.toString());
        System.setProperty("derby.stream.error.file", stateDir.resolve("derby.log").toString());
    }

    /**
     * Waits until {@code host:port} accepts connections. The Thrift server starts its HTTP listener
     * asynchronously and offers no callback; an accepted connection is the real readiness signal, probed
     * with a growing back-off (10 ms … 500 ms) until the timeout.
     */
    public static void awaitPort(String host, int port, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        long backoffMs = 10;
        IOException last = null;
        while (Instant.now().isBefore(deadline)) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 1000);
                return;
            } catch (IOException e) {
                last = e;
            }
            LockSupport.parkNanos(Duration.ofMillis(backoffMs).toNanos());
            backoffMs = Math.min(500, backoffMs * 2);
        }
        throw new IllegalStateException(host + ":" + port + " did not accept connections within " + timeout
                + (last == null ? "" : " (" + last.getMessage() + ")"));
    }
}
