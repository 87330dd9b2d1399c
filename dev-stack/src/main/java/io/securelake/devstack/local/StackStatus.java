package io.securelake.devstack.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.contracts.CoreEndpoints;
import io.securelake.contracts.status.GatewayFigures;
import io.securelake.contracts.status.LakeWriterFigures;
import io.securelake.contracts.status.QueryServerFigures;
import io.securelake.contracts.supervision.CoreComponent;
import java.util.Optional;

/**
 * Health and endpoints of one environment's local stack.
 *
 * @param died        true when a core component was recorded but is gone (crashed or killed): unhealthy
 * @param pid         the process that owns the core: its supervisor, or the JVM that runs it
 * @param supervision the supervisor's view (restarts, last exits, uptimes), for a local stack
 */
public record StackStatus(String environment, boolean running, boolean died, Optional<Long> pid,
                          Optional<CoreEndpoints> endpoints, boolean kdcHealthy, boolean kafkaHealthy,
                          boolean hdfsHealthy, Optional<Boolean> kmsHealthy,
                          Optional<ServiceReport<LakeWriterFigures>> lakeWriter,
                          Optional<ServiceReport<QueryServerFigures>> queryServer,
                          Optional<ServiceReport<GatewayFigures>> gateway, Optional<Supervision> supervision) {

    /** The same status with the lake-writer's report ({@code running} when healthy). */
    public StackStatus withLakeWriter(Optional<ServiceReport<LakeWriterFigures>> writer) {
        return new StackStatus(environment, running, died, pid, endpoints, kdcHealthy, kafkaHealthy, hdfsHealthy,
                kmsHealthy, writer, queryServer, gateway, supervision);
    }

    /** The same status with the query server's and the gateway's reports. */
    public StackStatus withQueryAndGateway(Optional<ServiceReport<QueryServerFigures>> query,
                                           Optional<ServiceReport<GatewayFigures>> knox) {
        return new StackStatus(environment, running, died, pid, endpoints, kdcHealthy, kafkaHealthy, hdfsHealthy,
                kmsHealthy, lakeWriter, query, knox, supervision);
    }

    /** The same status, saying whether a component of the core was recorded as started but is gone. */
    public StackStatus withDied(boolean componentDied) {
        return new StackStatus(environment, running, componentDied, pid, endpoints, kdcHealthy, kafkaHealthy, hdfsHealthy,
                kmsHealthy, lakeWriter, queryServer, gateway, supervision);
    }

    /** The same status with what the supervisor reports. */
    public StackStatus withSupervision(Supervision s) {
        return new StackStatus(environment, running, died, pid, endpoints, kdcHealthy, kafkaHealthy, hdfsHealthy,
                kmsHealthy, lakeWriter, queryServer, gateway, Optional.of(s));
    }

    public Optional<Boolean> queryServerHealthy() {
        return queryServer.map(ServiceReport::healthy);
    }

    public Optional<Boolean> gatewayHealthy() {
        return gateway.map(ServiceReport::healthy);
    }

    public Optional<Boolean> lakeWriterHealthy() {
        return lakeWriter.map(ServiceReport::healthy);
    }

    /**
     * What to tell someone who needs {@code child} ({@code knox}, {@code query}, …), called {@code what} in words, while
     * it does not serve: that its supervisor is starting it again (with why it ended), that it was given up (with
     * why), or that the stack must be started.
     */
    public String unavailable(String what, String child) {
        return supervision.filter(Supervision::running).flatMap(s -> s.child(child)).map(k -> unavailable(what, k, ""))
                .orElse(notRunning(what));
    }

    /** The first of {@code needed} that its supervisor reports not running, in start order. */
    public Optional<io.securelake.contracts.supervision.SupervisedChild> notRunning(java.util.Set<CoreComponent> needed) {
        return supervision.filter(Supervision::running).flatMap(Supervision::report).flatMap(r -> r.children().stream()
                .filter(c -> CoreComponent.of(c.name()).filter(needed::contains).isPresent() && !c.state().healthy())
                .findFirst());
    }

    /**
     * What to tell someone who needs these components of the core ({@code what}: "stack") while one does not serve:
     * which one, and whether it is being restarted or was given up.
     */
    public String coreUnavailable(String what, java.util.Set<CoreComponent> needed) {
        return notRunning(needed).map(k -> unavailable(what, k, ": its " + CoreComponent.of(k.name()).orElseThrow()
                .description())).orElse(notRunning(what));
    }

    private String notRunning(String what) {
        return "the " + what + " of " + environment + " is not running: start the stack with 'bin/securelake up --env "
                + environment + "'";
    }

    private String unavailable(String what, io.securelake.contracts.supervision.SupervisedChild c, String with) {
        if (c.state() == io.securelake.contracts.supervision.ChildState.FAILED) {
            return "the " + what + " of " + environment + " is down and no longer restarted" + with + ": " + c.problem();
        }
        return "the " + what + " of " + environment + " is restarting" + with + (c.lastExit() == null ? ""
                : " (last exit: " + c.lastExit().cause() + ")") + ": try again in a moment";
    }

    /** The gateway's JDBC URL for people (through Knox), when the gateway reports. */
    public Optional<String> hiveJdbcUrl() {
        return gateway.flatMap(ServiceReport::figures).map(GatewayFigures::hiveJdbcUrl);
    }

    /** Probes each service of {@code endpoints}: a local stack's, or a real cluster's (pid -1). */
    public static StackStatus probe(String environment, CoreEndpoints e) {
        boolean kafka = java.util.Arrays.stream(e.kafkaBootstrap().split(",")).anyMatch(hp -> reachable(hp.trim()));
        boolean hdfs = reachable(java.net.URI.create(e.hdfsNameNode()).getAuthority())
                && reachable(java.net.URI.create(e.webHdfs()).getAuthority());
        Optional<Boolean> kms = Optional.ofNullable(e.kmsUri())
                .map(uri -> reachable(uri.substring(uri.indexOf('@') + 1, uri.indexOf('/', uri.indexOf('@')))));
        return new StackStatus(environment, true, false, e.pid() > 0 ? Optional.of(e.pid()) : Optional.empty(),
                Optional.of(e), reachable(e.kdc()), kafka, hdfs, kms, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());
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
                && lakeWriterHealthy().orElse(true) && queryServerHealthy().orElse(true) && gatewayHealthy().orElse(true)
                && supervision.flatMap(s -> s.problem(environment)).isEmpty()
                // while the supervisor still starts a child, the stack is not healthy yet, whatever the child says
                && supervision.flatMap(Supervision::report)
                        .map(r -> r.children().stream().allMatch(c -> c.state().healthy())).orElse(true);
    }

    /** The JSON of {@code securelake status --json}. */
    public ObjectNode toJson() {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("environment", environment);
        root.put("running", running);
        root.put("healthy", healthy());
        Optional<String> supervisionProblem = supervision.flatMap(s -> s.problem(environment));
        if (died) {
            root.put("problem", supervision.filter(Supervision::running).isPresent()
                    ? "a component of the core died; its supervisor is starting it again"
                    : "a component of the core died; run 'securelake up --env " + environment + "' to recover");
        } else {
            supervisionProblem.ifPresent(p -> root.put("problem", p));
        }
        java.time.Instant now = java.time.Instant.now();
        supervision.ifPresent(s -> {
            ObjectNode sup = root.putObject("supervisor");
            sup.put("running", s.running());
            s.report().ifPresent(r -> sup.put("pid", r.supervisorPid()));
        });
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
        supervised(CoreComponent.KDC, kdc, now);
        ObjectNode kafka = root.putObject("kafka");
        endpoints.ifPresent(e -> {
            kafka.put("bootstrap", e.kafkaBootstrap());
            kafka.put("security_protocol", "SASL_SSL");
            kafka.put("sasl_mechanism", "GSSAPI");
        });
        kafka.put("healthy", kafkaHealthy);
        supervised(CoreComponent.KAFKA, kafka, now);
        ObjectNode hdfs = root.putObject("hdfs");
        endpoints.ifPresent(e -> {
            hdfs.put("namenode", e.hdfsNameNode());
            hdfs.put("webhdfs", e.webHdfs());
            hdfs.put("principal", e.hdfsPrincipal());
        });
        hdfs.put("healthy", hdfsHealthy);
        // HDFS is two processes: each one's supervision under hdfs.processes (hdfs.namenode is the NameNode's URI)
        for (CoreComponent c : java.util.List.of(CoreComponent.NAMENODE, CoreComponent.DATANODE)) {
            supervision.flatMap(sv -> sv.child(c.wire())).ifPresent(k -> {
                ObjectNode processes = hdfs.has("processes") ? (ObjectNode) hdfs.get("processes") : hdfs.putObject("processes");
                supervised(c, processes.putObject(c.wire()), now);
            });
        }
        endpoints.filter(e -> e.kmsUri() != null).ifPresent(e -> {
            ObjectNode kms = root.putObject("kms");
            kms.put("uri", e.kmsUri());
            kms.put("healthy", kmsHealthy.orElse(false));
            supervised(CoreComponent.KMS, kms, now);
        });
        supervision.flatMap(sv -> sv.child(CoreComponent.AGENT.wire())).ifPresent(c -> supervised(CoreComponent.AGENT, root.putObject("core_agent"), now));
        lakeWriter.ifPresent(w -> {
            ObjectNode lw = root.putObject("lake_writer");
            lw.put("state", w.state().wire());
            w.reported().ifPresent(s -> {
                LakeWriterFigures f = s.figures();
                lw.put("pid", s.pid());
                lw.put("events_committed", f.eventsCommitted());
                lw.put("events_per_sec", f.eventsPerSecond());
                lw.put("bytes_per_sec", Math.round(f.bytesPerSecond()));
                lw.put("lag", f.lag());
                lw.put("files_committed", f.filesCommitted());
                lw.put("quarantined", f.quarantined());
                lw.put("last_commit_at", f.lastCommitAt() == null ? null : f.lastCommitAt().toString());
                lw.put("last_error", f.lastError());
            });
            w.problem().ifPresent(p -> lw.put("problem", p));
            lw.put("healthy", w.healthy());
            supervision.flatMap(sv -> sv.child(io.securelake.contracts.status.ServiceKind.LAKE_WRITER.stateDirName())).ifPresent(c -> Supervision.putChild(c, lw, now));
        });
        queryServer.ifPresent(q -> {
            ObjectNode hive = root.putObject("hive");
            hiveJdbcUrl().ifPresent(url -> hive.put("jdbc_url", url));
            q.figures().ifPresent(f -> hive.put("direct_jdbc_url", f.jdbcUrl()));
            hive.put("state", q.state().wire());
            service(q, hive);
            hive.put("healthy", q.healthy());
            supervision.flatMap(sv -> sv.child(io.securelake.contracts.status.ServiceKind.QUERY_SERVER.stateDirName())).ifPresent(c -> Supervision.putChild(c, hive, now));
        });
        gateway.ifPresent(g -> {
            ObjectNode knox = root.putObject("knox");
            g.figures().ifPresent(f -> knox.put("url", f.url()).put("webhdfs_url", f.webhdfsUrl()).put("ldap_url", f.ldapUrl())
                    .put("truststore", f.truststore()).put("truststore_password", f.truststorePassword()));
            knox.put("state", g.state().wire());
            service(g, knox);
            knox.put("healthy", g.healthy());
            supervision.flatMap(sv -> sv.child(io.securelake.contracts.status.ServiceKind.GATEWAY.stateDirName())).ifPresent(c -> Supervision.putChild(c, knox, now));
        });
        return root;
    }

    private void supervised(CoreComponent component, ObjectNode to, java.time.Instant now) {
        supervision.flatMap(sv -> sv.child(component.wire())).ifPresent(c -> Supervision.putChild(c, to, now));
    }

    /**
     * The service's {@code pid} and whether it runs as an OS user of its own ({@code isolation: os-users},
     * {@code os_user}, {@code uid}) or is kept apart only by what it is given ({@code logical-only});
     * {@code isolation_reason} says why; {@code problem} when its status file could not be read.
     */
    private static void service(ServiceReport<?> from, ObjectNode to) {
        from.reported().ifPresent(s -> to.put("pid", s.pid()));
        from.isolation().ifPresent(i -> {
            for (String f : new String[] {"isolation", "os_user", "uid", "gid", "process_uid", "isolation_reason"}) {
                JsonNode v = i.get(f);
                if (v != null && !to.has(f)) {
                    to.set(f, v);
                }
            }
        });
        from.problem().ifPresent(p -> to.put("problem", p));
    }
}
