package io.securelake.warehouse.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
        ObjectNode status = new ObjectMapper().createObjectNode()
                .put("pid", ProcessHandle.current().pid())
                .put("state", "running")
                .put("since", Instant.now().toString())
                .put("port", config.port())
                .put("jdbc_url", server.endpoint().displayUrl("default"));
        QueryServer.writeAtomically(config.statusFile(), status.toPrettyString());
        stopped.await();
    }
}
