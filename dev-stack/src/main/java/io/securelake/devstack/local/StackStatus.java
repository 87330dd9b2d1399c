package io.securelake.devstack.local;

import io.securelake.operations.connect.CoreEndpoints;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * Health and endpoints of one environment's local stack.
 *
 * @param died true when a core process was recorded but is gone (crashed or killed): unhealthy
 */
public record StackStatus(String environment, boolean running, boolean died, Optional<Long> pid,
                          Optional<CoreEndpoints> endpoints, boolean kdcHealthy, boolean kafkaHealthy,
                          boolean hdfsHealthy, Optional<Boolean> kmsHealthy,
                          Optional<com.fasterxml.jackson.databind.JsonNode> lakeWriter,
                          Optional<com.fasterxml.jackson.databind.JsonNode> queryServer,
                          Optional<com.fasterxml.jackson.databind.JsonNode> gateway) {

    /** The same status with the lake-writer's reported figures ({@code state} "running" when healthy). */
    public StackStatus withLakeWriter(Optional<com.fasterxml.jackson.databind.JsonNode> writer) {
        return new StackStatus(environment, running, died, pid, endpoints, kdcHealthy, kafkaHealthy, hdfsHealthy,
                kmsHealthy, writer, queryServer, gateway);
    }

    /** The same status with the query server's and the gateway's reports ({@code state}, URLs). */
    public StackStatus withQueryAndGateway(Optional<com.fasterxml.jackson.databind.JsonNode> query,
                                           Optional<com.fasterxml.jackson.databind.JsonNode> knox) {
        return new StackStatus(environment, running, died, pid, endpoints, kdcHealthy, kafkaHealthy, hdfsHealthy,
                kmsHealthy, lakeWriter, query, knox);
    }

    public Optional<Boolean> queryServerHealthy() {
        return queryServer.map(q -> "running".equals(q.path("state").asText()));
    }

    public Optional<Boolean> gatewayHealthy() {
        return gateway.map(g -> "running".equals(g.path("state").asText()));
    }

    public Optional<Boolean> lakeWriterHealthy() {
        return lakeWriter.map(w -> "running".equals(w.path("state").asText()));
    }

    /** Probes each service of {@code endpoints}: a local stack's, or a real cluster's (pid -1). */
    public static StackStatus probe(String environment, CoreEndpoints e) {
        boolean kafka = java.util.Arrays.stream(e.kafkaBootstrap().split(",")).anyMatch(hp -> reachable(hp.trim()));
        boolean hdfs = reachable(java.net.URI.create(e.hdfsNameNode()).getAuthority())
                && reachable(java.net.URI.create(e.webHdfs()).getAuthority());
        Optional<Boolean> kms = Optional.ofNullable(e.kmsUri())
                .map(uri -> reachable(uri.substring(uri.indexOf('@') + 1, uri.indexOf('/', uri.indexOf('@')))));
        return new StackStatus(environment, true, false, e.pid() > 0 ? Optional.of(e.pid()) : Optional.empty(),
                Optional.of(e), reachable(e.kdc()), kafka, hdfs, kms, Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** A TCP connect within 2 s: the service listens. */
    static boolean reachable(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(hostPort.substring(0, colon),
                    Integer.parseInt(hostPort.substring(colon + 1))), 2000);
            return true;
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    public boolean healthy() {
        return running && endpoints.isPresent() && kdcHealthy && kafkaHealthy && hdfsHealthy && kmsHealthy.orElse(true)
                && lakeWriterHealthy().orElse(true) && queryServerHealthy().orElse(true) && gatewayHealthy().orElse(true);
    }

    /** The JSON of {@code securelake status --json}. */
    public ObjectNode toJson() {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("environment", environment);
        root.put("running", running);
        root.put("healthy", healthy());
        if (died) {
            root.put("problem", "the core process died; run 'securelake up --env " + environment + "' to recover");
        }
        pid.ifPresent(p -> root.put("pid", p));
        endpoints.ifPresent(e -> {
            root.put("realm", e.realm());
            root.put("krb5_conf", e.krb5Conf());
            ObjectNode keytabs = root.putObject("keytabs");
            e.keytabs().forEach(keytabs::put);
            if (e.truststore() != null) {
                root.put("truststore", e.truststore());
                root.put("truststore_password", e.truststorePassword());
            }
            root.put("ca_pem", e.caPem());
        });
        ObjectNode kdc = root.putObject("kdc");
        endpoints.ifPresent(e -> kdc.put("address", e.kdc()));
        kdc.put("healthy", kdcHealthy);
        ObjectNode kafka = root.putObject("kafka");
        endpoints.ifPresent(e -> {
            kafka.put("bootstrap", e.kafkaBootstrap());
            kafka.put("security_protocol", "SASL_SSL");
            kafka.put("sasl_mechanism", "GSSAPI");
        });
        kafka.put("healthy", kafkaHealthy);
        ObjectNode hdfs = root.putObject("hdfs");
        endpoints.ifPresent(e -> {
            hdfs.put("namenode", e.hdfsNameNode());
            hdfs.put("webhdfs", e.webHdfs());
            hdfs.put("principal", e.hdfsPrincipal());
        });
        hdfs.put("healthy", hdfsHealthy);
        endpoints.filter(e -> e.kmsUri() != null).ifPresent(e -> {
            ObjectNode kms = root.putObject("kms");
            kms.put("uri", e.kmsUri());
            kms.put("healthy", kmsHealthy.orElse(false));
        });
        lakeWriter.ifPresent(w -> {
            ObjectNode lw = root.putObject("lake_writer");
            for (String f : new String[] {"state", "pid", "events_committed", "events_per_sec", "bytes_per_sec", "lag",
                    "files_committed", "quarantined", "last_commit_at", "last_error"}) {
                if (w.has(f)) {
                    lw.set(f, w.get(f));
                }
            }
            lw.put("healthy", lakeWriterHealthy().orElse(false));
        });
        queryServer.ifPresent(q -> {
            ObjectNode hive = root.putObject("hive");
            gateway.filter(g -> g.has("hive_jdbc_url")).ifPresent(g -> hive.set("jdbc_url", g.get("hive_jdbc_url")));
            if (q.has("jdbc_url")) {
                hive.set("direct_jdbc_url", q.get("jdbc_url"));
            }
            hive.put("state", q.path("state").asText());
            copyIsolation(q, hive);
            hive.put("healthy", queryServerHealthy().orElse(false));
        });
        gateway.ifPresent(g -> {
            ObjectNode knox = root.putObject("knox");
            for (String f : new String[] {"url", "webhdfs_url", "ldap_url", "truststore", "truststore_password", "pid"}) {
                if (g.has(f)) {
                    knox.set(f, g.get(f));
                }
            }
            knox.put("state", g.path("state").asText());
            copyIsolation(g, knox);
            knox.put("healthy", gatewayHealthy().orElse(false));
        });
        return root;
    }

    /**
     * Whether the service runs as an OS user of its own ({@code isolation: os-users}, {@code os_user}, {@code uid})
     * or is kept apart only by what it is given ({@code logical-only}); {@code isolation_reason} says why.
     */
    private static void copyIsolation(com.fasterxml.jackson.databind.JsonNode from, ObjectNode to) {
        for (String f : new String[] {"pid", "isolation", "os_user", "uid", "gid", "process_uid", "isolation_reason"}) {
            if (from.has(f) && !to.has(f)) {
                to.set(f, from.get(f));
            }
        }
    }
}
