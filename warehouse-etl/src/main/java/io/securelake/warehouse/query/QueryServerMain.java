package io.securelake.warehouse.query;

import io.securelake.contracts.status.QueryServerFigures;
import io.securelake.contracts.status.ServiceState;
import io.securelake.contracts.status.ServiceStatus;
import io.securelake.warehouse.spark.SparkJvm;
import io.securelake.warehouse.spark.StackConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;

/**
 * Entry point of the query server's JVM: {@code QueryServerMain --config <state>/query-server.json}.
 * Started by {@code securelake up} with Spark's class path; readiness is {@code status.json} with
 * {@code state: running} and this PID. SIGTERM stops the Thrift server and Spark cleanly.
 */
public final class QueryServerMain {
    private QueryServerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !args[0].equals("--config")) {
            System.err.println("usage: QueryServerMain --config <query-server.json>");
            System.exit(2);
        }
        Instant started = Instant.now();
        QueryServerConfig config = QueryServerConfig.read(Path.of(args[1]));
        Files.createDirectories(config.stateDir());
        SparkJvm.prepare(StackConnection.read(config.endpoints()).krb5Conf(), config.stateDir());
        QueryServer server;
        try {
            server = QueryServer.start(config, line -> System.out.println("[query] " + line));
        } catch (RuntimeException e) {
            System.err.println("[query] cannot start: " + e.getMessage());
            e.printStackTrace();
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("[query] stopping");
            try {
                server.close();
            } finally {
                stopped.countDown();
            }
        }, "query-server-stop"));
        Instant now = Instant.now();
        ServiceStatus.of(new QueryServerFigures(config.port(), server.endpoint().displayUrl("default")))
                .environment(config.environment()).state(ServiceState.RUNNING).startedAt(started).updatedAt(now).build()
                .writeTo(config.statusFile(), ServiceStatus.QUERY_SERVER);
        stopped.await();
    }
}
