package io.securelake.policies.tools;

import static io.securelake.envs.RangerServiceType.HDFS;
import static io.securelake.envs.RangerServiceType.HIVE;
import static io.securelake.envs.RangerServiceType.KAFKA;
import static io.securelake.envs.RangerServiceType.KNOX;

import io.securelake.envs.Dataset;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentNames;
import io.securelake.envs.Person;
import io.securelake.envs.RangerServiceType;
import io.securelake.envs.Role;
import io.securelake.envs.ServiceRole;
import io.securelake.policies.tools.ExpectedDecisions.Row;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The expected-decision table that goes with {@link BaselinePolicies}: what each kind of principal
 * may and may not do, including another environment's principals and people without a role.
 */
public final class BaselineExpectations {
    private final Environment env;
    private final List<Environment> others;
    private final EnvironmentNames n;
    private final List<Row> rows = new ArrayList<>();

    public BaselineExpectations(Environment env, List<Environment> others) {
        this.env = env;
        this.others = List.copyOf(others);
        this.n = env.names();
    }

    public List<Row> generate() {
        rows.clear();
        String ingest = n.servicePrincipal(ServiceRole.INGEST);
        String writer = n.servicePrincipal(ServiceRole.LAKE_WRITER);
        String etl = n.servicePrincipal(ServiceRole.ETL);
        Optional<String> admin = person(Role.ADMIN);
        Optional<String> analyst = person(Role.ANALYST);
        Optional<String> auditor = person(Role.AUDITOR);
        Optional<String> nobody = env.people().stream().filter(p -> p.groups().isEmpty()).map(Person::name).findFirst();
        Dataset d = env.datasets().get(0);
        BaselinePolicies.Schema schema = new BaselinePolicies(env).schema(d);

        // kafka
        for (Dataset ds : env.datasets()) {
            add(KAFKA, ingest, Map.of("topic", n.rawTopic(ds)), "publish", "allow");
            add(KAFKA, ingest, Map.of("topic", n.deadLetterTopic(ds)), "publish", "allow");
        }
        add(KAFKA, ingest, Map.of("topic", n.rawTopic(d)), "consume", "deny");
        add(KAFKA, ingest, Map.of("topic", n.topicPrefix() + "unlisted"), "publish", "deny");
        add(KAFKA, ingest, Map.of("cluster", PolicyNames.KAFKA_CLUSTER), "idempotent_write", "allow");
        add(KAFKA, writer, Map.of("topic", n.rawTopic(d)), "consume", "allow");
        add(KAFKA, writer, Map.of("topic", n.rawTopic(d)), "publish", "deny");
        add(KAFKA, writer, Map.of("topic", n.deadLetterTopic(d)), "consume", "deny");
        add(KAFKA, writer, Map.of("consumergroup", n.lakeWriterConsumerGroup()), "consume", "allow");
        admin.ifPresent(u -> {
            add(KAFKA, u, Map.of("topic", n.rawTopic(d)), "create", "allow");
            add(KAFKA, u, Map.of("topic", n.rawTopic(d)), "consume", "deny");
            add(KAFKA, u, Map.of("cluster", PolicyNames.KAFKA_CLUSTER), "alter_configs", "deny");
            add(KAFKA, u, Map.of("transactionalid", n.topicPrefix() + "tx"), "describe", "allow");
        });
        analyst.ifPresent(u -> add(KAFKA, u, Map.of("topic", n.rawTopic(d)), "consume", "deny"));
        auditor.ifPresent(u -> add(KAFKA, u, Map.of("topic", n.rawTopic(d)), "consume", "deny"));
        nobody.ifPresent(u -> add(KAFKA, u, Map.of("topic", n.rawTopic(d)), "describe", "deny"));
        for (Environment o : others) {
            add(KAFKA, o.names().servicePrincipal(ServiceRole.INGEST), Map.of("topic", n.rawTopic(d)), "publish", "deny");
            add(KAFKA, ingest, Map.of("topic", o.names().rawTopic(o.datasets().get(0))), "publish", "deny");
        }
        // kafka: the key registry (writers add, readers read, only admins change or shred)
        Map<String, String> deks = Map.of("topic", n.keyRegistryTopic());
        Map<String, String> changes = Map.of("topic", n.keyChangesTopic());
        String query = n.servicePrincipal(ServiceRole.QUERY);
        add(KAFKA, ingest, deks, "publish", "allow");
        add(KAFKA, ingest, deks, "describe", "allow");
        add(KAFKA, ingest, deks, "consume", "allow");
        add(KAFKA, ingest, changes, "consume", "allow");
        add(KAFKA, ingest, changes, "publish", "deny");
        for (String reader : List.of(etl, query)) {
            add(KAFKA, reader, deks, "consume", "allow");
            add(KAFKA, reader, changes, "consume", "allow");
            add(KAFKA, reader, changes, "describe", "allow");
            add(KAFKA, reader, deks, "publish", "deny");
            add(KAFKA, reader, changes, "publish", "deny");
        }
        admin.ifPresent(u -> {
            add(KAFKA, u, deks, "consume", "allow");
            add(KAFKA, u, changes, "consume", "allow");
            add(KAFKA, u, changes, "publish", "allow");
            add(KAFKA, u, deks, "publish", "allow");
            add(KAFKA, u, Map.of("cluster", PolicyNames.KAFKA_CLUSTER), "idempotent_write", "allow");
        });
        for (Optional<String> denied : List.of(analyst, auditor, nobody)) {
            denied.ifPresent(u -> {
                add(KAFKA, u, deks, "consume", "deny");
                add(KAFKA, u, changes, "consume", "deny");
                add(KAFKA, u, deks, "describe", "deny");
                add(KAFKA, u, changes, "publish", "deny");
            });
        }
        add(KAFKA, writer, deks, "consume", "deny");
        add(KAFKA, writer, changes, "consume", "deny");
        add(KAFKA, writer, deks, "publish", "deny");
        for (Environment o : others) {
            add(KAFKA, o.names().servicePrincipal(ServiceRole.INGEST), deks, "publish", "deny");
            add(KAFKA, o.names().servicePrincipal(ServiceRole.ETL), changes, "consume", "deny");
            add(KAFKA, ingest, Map.of("topic", o.names().keyRegistryTopic()), "publish", "deny");
        }

        // hdfs
        String rawFile = n.rawPath(d) + "/dt=2026-01-01/part-0.avro";
        String curatedFile = n.curatedPath(d) + "/part-0.parquet";
        String auditFile = n.auditPath() + "/audit-2026-01-01.jsonl";
        add(HDFS, writer, Map.of("path", rawFile), "write", "allow");
        add(HDFS, writer, Map.of("path", curatedFile), "write", "deny");
        add(HDFS, writer, Map.of("path", n.lakeRoot()), "execute", "allow");
        add(HDFS, etl, Map.of("path", rawFile), "read", "allow");
        add(HDFS, etl, Map.of("path", rawFile), "write", "deny");
        add(HDFS, etl, Map.of("path", curatedFile), "write", "allow");
        add(HDFS, query, Map.of("path", curatedFile), "read", "allow");
        add(HDFS, query, Map.of("path", curatedFile), "write", "deny");
        add(HDFS, query, Map.of("path", rawFile), "read", "deny");
        analyst.ifPresent(u -> {
            add(HDFS, u, Map.of("path", rawFile), "read", "deny");
            add(HDFS, u, Map.of("path", auditFile), "read", "deny");
            add(HDFS, u, Map.of("path", n.userHome(u) + "/notes.txt"), "write", "allow");
            env.people().stream().map(Person::name).filter(p -> !p.equals(u)).findFirst()
                    .ifPresent(other -> add(HDFS, u, Map.of("path", n.userHome(other) + "/notes.txt"), "read", "deny"));
        });
        auditor.ifPresent(u -> {
            add(HDFS, u, Map.of("path", auditFile), "read", "allow");
            add(HDFS, u, Map.of("path", auditFile), "write", "deny");
            add(HDFS, u, Map.of("path", rawFile), "read", "deny");
        });
        admin.ifPresent(u -> {
            add(HDFS, u, Map.of("path", n.quarantinePath(d) + "/bad.avro"), "write", "allow");
            add(HDFS, u, Map.of("path", auditFile), "read", "deny");
            add(HDFS, u, Map.of("path", auditFile), "write", "deny");
        });
        nobody.ifPresent(u -> add(HDFS, u, Map.of("path", n.lakeRoot()), "execute", "deny"));
        for (Environment o : others) {
            add(HDFS, o.names().servicePrincipal(ServiceRole.LAKE_WRITER), Map.of("path", rawFile), "write", "deny");
        }

        // hive
        String db = n.hiveDatabase(d);
        String table = "fact_" + d.name();
        analyst.ifPresent(u -> {
            add(HIVE, u, cols(db, table, "event_id"), "select", "allow");
            schema.masks().forEach((col, type) -> add(HIVE, u, cols(db, table, col), "select", "mask:" + type));
            add(HIVE, u, cols(db, table, "event_id"), "select", "mask:none");
            if (schema.timeField() != null) {
                add(HIVE, u, tab(db, table), "select", "rowfilter:" + BaselinePolicies.retentionFilter(schema.timeField(), d.retentionDays()));
            }
            add(HIVE, u, cols(PolicyNames.auditHiveDatabase(n), "decisions", "user"), "select", "deny");
        });
        auditor.ifPresent(u -> {
            add(HIVE, u, cols(PolicyNames.auditHiveDatabase(n), "decisions", "user"), "select", "allow");
            add(HIVE, u, cols(db, table, "event_id"), "select", "deny");
            add(HIVE, u, tab(db, table), "select", "rowfilter:none");
        });
        admin.ifPresent(u -> {
            add(HIVE, u, cols(db, table, "event_id"), "select", "deny");
            add(HIVE, u, cols(db, table, "event_id"), "alter", "allow");
        });
        add(HIVE, etl, cols(db, table, "event_id"), "create", "allow");
        add(HIVE, etl, cols(db, table, "event_id"), "select", "allow");
        nobody.ifPresent(u -> add(HIVE, u, cols(db, table, "event_id"), "select", "deny"));
        for (Environment o : others) {
            add(HIVE, o.names().servicePrincipal(ServiceRole.ETL), cols(db, table, "event_id"), "select", "deny");
        }

        // knox
        analyst.ifPresent(u -> {
            add(KNOX, u, knox(n.knoxTopology(), "HIVE"), "allow", "allow");
            add(KNOX, u, knox(n.knoxTopology(), "WEBHDFS"), "allow", "allow");
            add(KNOX, u, knox(n.knoxTopology(), "KNOXSSO"), "allow", "deny");
            for (Environment o : others) {
                add(KNOX, u, knox(o.names().knoxTopology(), "HIVE"), "allow", "deny");
            }
        });
        auditor.ifPresent(u -> add(KNOX, u, knox(n.knoxTopology(), "HIVE"), "allow", "allow"));
        admin.ifPresent(u -> add(KNOX, u, knox(n.knoxTopology(), "KNOXSSO"), "allow", "allow"));
        nobody.ifPresent(u -> add(KNOX, u, knox(n.knoxTopology(), "HIVE"), "allow", "deny"));
        return List.copyOf(rows);
    }

    private Optional<String> person(Role role) {
        return env.peopleWithRole(role).stream().map(Person::name).findFirst();
    }

    private void add(RangerServiceType t, String user, Map<String, String> resource, String access, String expected) {
        rows.add(new Row(0, t, user, new LinkedHashMap<>(resource), access, expected));
    }

    private static Map<String, String> cols(String db, String table, String column) {
        Map<String, String> m = tab(db, table);
        m.put("column", column);
        return m;
    }

    private static Map<String, String> tab(String db, String table) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("database", db);
        m.put("table", table);
        return m;
    }

    private static Map<String, String> knox(String topology, String service) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("topology", topology);
        m.put("service", service);
        return m;
    }
}
