package io.securelake.policies.tools;

import com.fasterxml.jackson.databind.JsonNode;
import io.securelake.encryption.Classification;
import io.securelake.envs.Dataset;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentNames;
import io.securelake.envs.RangerServiceType;
import io.securelake.envs.Role;
import io.securelake.envs.ServiceRole;
import io.securelake.policies.engine.PolicyFiles;
import io.securelake.policies.engine.RangerJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.ranger.plugin.model.RangerPolicy;
import org.apache.ranger.plugin.model.RangerPolicy.RangerDataMaskPolicyItem;
import org.apache.ranger.plugin.model.RangerPolicy.RangerPolicyItem;
import org.apache.ranger.plugin.model.RangerPolicy.RangerPolicyItemAccess;
import org.apache.ranger.plugin.model.RangerPolicy.RangerPolicyItemDataMaskInfo;
import org.apache.ranger.plugin.model.RangerPolicy.RangerPolicyItemRowFilterInfo;
import org.apache.ranger.plugin.model.RangerPolicy.RangerPolicyResource;
import org.apache.ranger.plugin.model.RangerPolicy.RangerRowFilterPolicyItem;
import org.apache.ranger.plugin.util.ServicePolicies;

/**
 * Writes the baseline policies of an environment from its definition, so every name in them is derived
 * (never typed): the starting point of {@code policies/<env>/}. The committed files are the source of
 * truth afterwards: admins edit them in pull requests and {@link PolicyValidator} checks every name
 * against the environment definition.
 * <p>
 * Baseline: each ingest principal writes only its datasets' raw and dead-letter topics; the lake writer
 * reads raw topics (with its consumer group) and writes only the raw zone; ETL reads the raw zone and
 * writes only the curated zone and the dataset databases; analysts select dataset tables with PII
 * columns masked (by the schema's classification) and rows limited to the retention window; auditors
 * read audit data only; admins administer (create, alter, drop) without reading data; the ingest service
 * adds data keys to the key registry, ingest, ETL, the query server and admins read it and its changes, and
 * only admins change or shred a stored key; nobody else has anything, and the audit trail is append-only
 * (explicit deny).
 */
public final class BaselinePolicies {
    private final Environment env;
    private final EnvironmentNames n;
    private final Path schemasDir;

    public BaselinePolicies(Environment env) {
        this.env = env;
        this.n = env.names();
        this.schemasDir = env.source().toAbsolutePath().getParent().resolve("schemas");
    }

    public ServicePolicies generate(RangerServiceType type) {
        List<RangerPolicy> policies = switch (type) {
            case KAFKA -> kafka();
            case HDFS -> hdfs();
            case HIVE -> hive();
            case KNOX -> knox();
        };
        String service = n.rangerService(type);
        long id = 1;
        for (RangerPolicy p : policies) {
            p.setId(id++);
            p.setService(service);
            p.setServiceType(type.serviceDefName());
            p.setIsAuditEnabled(true);
        }
        ServicePolicies sp = new ServicePolicies();
        sp.setServiceName(service);
        sp.setPolicyVersion(1L);
        sp.setPolicies(policies);
        return sp;
    }

    /** Writes the four policy files of the environment under {@code policiesRoot/<env>/}. */
    public void writeAll(Path policiesRoot) {
        for (RangerServiceType t : RangerServiceType.values()) {
            PolicyFiles.write(PolicyFiles.file(policiesRoot, env, t), generate(t));
        }
    }

    // --- kafka ---------------------------------------------------------------------------------------

    private List<RangerPolicy> kafka() {
        String ingest = n.servicePrincipal(ServiceRole.INGEST);
        String writer = n.servicePrincipal(ServiceRole.LAKE_WRITER);
        List<String> admins = groups(Role.ADMIN);
        List<RangerPolicy> out = new ArrayList<>();
        for (Dataset d : env.datasets()) {
            out.add(policy("ingest-" + d.name() + "-produce", "The ingest service writes the " + d.name()
                            + " raw topic and its dead letters, nothing else.",
                    res("topic", n.rawTopic(d), n.deadLetterTopic(d)),
                    allow(List.of(ingest), List.of(), "publish", "describe")));
        }
        out.add(policy("ingest-idempotent-producer", "Idempotent producers (Kafka's default) ask for IDEMPOTENT_WRITE on the cluster.",
                res("cluster", PolicyNames.KAFKA_CLUSTER), allow(List.of(ingest), List.of(), "idempotent_write")));
        out.add(policy("lakewriter-consume-raw", "The lake writer reads every raw topic of the environment.",
                res("topic", n.rawTopicPrefix() + "*"), allow(List.of(writer), List.of(), "consume", "describe")));
        out.add(policy("lakewriter-consumer-group", "The lake writer commits offsets in its own consumer group.",
                res("consumergroup", n.lakeWriterConsumerGroup()), allow(List.of(writer), List.of(), "consume", "describe")));
        // The key registry: writers add keys, readers read, only admins change or shred a stored key.
        String etl = n.servicePrincipal(ServiceRole.ETL);
        String query = n.servicePrincipal(ServiceRole.QUERY);
        out.add(policy("ingest-key-registry-produce", "The ingest service adds the data keys it creates to the key registry "
                        + "(wrapped or sealed, never clear); it cannot change or shred a stored key.",
                res("topic", n.keyRegistryTopic()), allow(List.of(ingest), List.of(), "publish", "describe")));
        out.add(policy("key-registry-readers", "The services that encrypt or decrypt, and admins, read the key registry and its "
                        + "changes (re-wraps, shreds); they assign partitions, so no consumer group is needed.",
                res("topic", n.keyRegistryTopic(), n.keyChangesTopic()), allow(List.of(ingest, etl, query), admins,
                        "consume", "describe")));
        out.add(policy("admins-key-registry-changes", "Only admins change or shred stored keys: they publish re-wraps and shreds, "
                        + "and null-value records on the registry so that compaction erases a shredded key.",
                res("topic", n.keyRegistryTopic(), n.keyChangesTopic()), allow(List.of(), admins, "publish")));
        out.add(policy("admins-topics", "Admins create, configure and delete the environment's topics; they do not read or write data.",
                res("topic", n.topicPrefix() + "*"), allow(List.of(), admins, "create", "delete", "describe",
                        "describe_configs", "alter_configs", "alter", "configure")));
        out.add(policy("admins-consumer-groups", "Admins inspect and delete the environment's consumer groups.",
                res("consumergroup", n.topicPrefix() + "*"), allow(List.of(), admins, "describe", "delete")));
        out.add(policy("admins-transactional-ids", "Admins inspect the environment's transactions.",
                res("transactionalid", n.topicPrefix() + "*"), allow(List.of(), admins, "describe")));
        // No alter_configs: on the cluster it changes the broker's own configuration (listeners, JAAS logins,
        // keystores, log levels), which is deployed; the authorizer refuses it to all but super users anyway.
        out.add(policy("admins-cluster", "Admins describe the cluster, create topics, reassign partitions and elect leaders, "
                        + "and publish key changes with an idempotent producer (IDEMPOTENT_WRITE); "
                        + "they do not change the broker's configuration (it is deployed).",
                res("cluster", PolicyNames.KAFKA_CLUSTER), allow(List.of(), admins, "describe", "describe_configs",
                        "create", "alter", "idempotent_write")));
        return out;
    }

    // --- hdfs ----------------------------------------------------------------------------------------

    private List<RangerPolicy> hdfs() {
        String writer = n.servicePrincipal(ServiceRole.LAKE_WRITER);
        String etl = n.servicePrincipal(ServiceRole.ETL);
        List<String> people = groups(Role.ADMIN, Role.ANALYST, Role.AUDITOR);
        List<String> services = env.services().stream().map(s -> s.principal()).toList();
        List<String> parents = Stream.concat(PolicyNames.parents(n.rawZone()).stream(),
                Stream.concat(PolicyNames.parents(n.auditPath() + "/x").stream(),
                        PolicyNames.parents(n.userHome("{USER}")).stream())).distinct().toList();
        List<RangerPolicy> out = new ArrayList<>();
        RangerPolicy traverse = policy("traverse-to-zones", "The environment's principals may traverse (not list) the directories above its zones and home directories.",
                res("path", parents.toArray(String[]::new)), allow(services, people, "execute"));
        traverse.getResources().get("path").setIsRecursive(false);
        out.add(traverse);
        out.add(policy("lakewriter-raw-zone", "The lake writer writes only the raw zone.",
                recursive(n.rawZone()), allow(List.of(writer), List.of(), "read", "write", "execute")));
        out.add(policy("etl-read-raw-zone", "ETL reads the raw zone.",
                recursive(n.rawZone()), allow(List.of(etl), List.of(), "read", "execute")));
        out.add(policy("etl-curated-zone", "ETL writes only the curated zone.",
                recursive(n.curatedZone()), allow(List.of(etl), List.of(), "read", "write", "execute")));
        out.add(policy("query-read-curated", "The query server reads the curated zone; Ranger in Spark SQL decides what each end user sees.",
                recursive(n.curatedZone()), allow(List.of(n.servicePrincipal(ServiceRole.QUERY)), List.of(), "read", "execute")));
        out.add(policy("auditors-read-audit", "Auditors read the audit trail, and only they do.",
                recursive(n.auditPath()), allow(List.of(), groups(Role.AUDITOR), "read", "execute")));
        RangerPolicy appendOnly = policy("audit-append-only", "Nobody rewrites or deletes the audit trail (the NameNode's own audit writer is the HDFS superuser).",
                recursive(n.auditPath()), List.of());
        appendOnly.setDenyPolicyItems(List.of(item(List.of(), List.of("public"), "write")));
        out.add(appendOnly);
        out.add(policy("admins-lake", "Admins administer the lake of the environment.",
                recursive(n.lakeRoot()), allow(List.of(), groups(Role.ADMIN), "read", "write", "execute")));
        out.add(policy("home-directories", "People own their home directory ({USER} is Ranger's user macro).",
                recursive(n.userHome("{USER}")), allow(List.of(), people, "read", "write", "execute")));
        return out;
    }

    // --- hive ----------------------------------------------------------------------------------------

    private List<RangerPolicy> hive() {
        String etl = n.servicePrincipal(ServiceRole.ETL);
        List<String> analysts = groups(Role.ANALYST);
        List<RangerPolicy> out = new ArrayList<>();
        for (Dataset d : env.datasets()) {
            String db = n.hiveDatabase(d);
            out.add(policy("analysts-" + d.name() + "-select", "Analysts query the " + d.name() + " tables (masked and filtered below).",
                    tables(db, true), allow(List.of(), analysts, "select")));
            out.add(policy("etl-" + d.name() + "-tables", "ETL maintains the " + d.name() + " tables.",
                    tables(db, true), allow(List.of(etl), List.of(), "select", "update", "create", "drop", "alter", "read", "write")));
            out.add(policy("admins-" + d.name() + "-administer", "Admins administer the " + d.name() + " database without reading it.",
                    tables(db, true), allow(List.of(), groups(Role.ADMIN), "create", "drop", "alter", "index", "lock", "refresh")));
        }
        out.add(policy("auditors-audit-tables", "Auditors query the audit trail, nothing else.",
                tables(PolicyNames.auditHiveDatabase(n), true), allow(List.of(), groups(Role.AUDITOR), "select")));
        for (Dataset d : env.datasets()) {
            Schema schema = schema(d);
            for (Map.Entry<String, String> col : schema.masks().entrySet()) {
                out.add(mask("mask-" + d.name() + "-" + col.getKey(), "Analysts see " + col.getKey() + " as " + col.getValue()
                        + " (classified " + schema.classes().get(col.getKey()) + ").", column(n.hiveDatabase(d), col.getKey()),
                        analysts, col.getValue()));
            }
            // The quality quarantine keeps each bad row whole (record, JSON) and its key: every classified
            // value again, in another form. Analysts see the rule and reason, not the copy.
            String quarantine = n.qualityQuarantineTable();
            for (Map.Entry<String, String> derived : List.of(Map.entry("record", "MASK_NULL"), Map.entry("record_key", "MASK_HASH"))) {
                Map<String, RangerPolicyResource> res = tables(n.hiveDatabase(d), false);
                res.put("table", new RangerPolicyResource(quarantine));
                res.put("column", new RangerPolicyResource(derived.getKey()));
                out.add(mask("mask-" + d.name() + "-" + quarantine + "-" + derived.getKey(), "Analysts see " + quarantine
                        + "." + derived.getKey() + " as " + derived.getValue() + " (a copy of classified values).", res,
                        analysts, derived.getValue()));
            }
            if (schema.timeField() != null) {
                RangerPolicy filter = policy("rowfilter-" + d.name() + "-retention", "Analysts see only the last "
                        + d.retentionDays() + " days (the dataset's retention).", tables(n.hiveDatabase(d), false), List.of());
                filter.setPolicyType(RangerPolicy.POLICY_TYPE_ROWFILTER);
                RangerRowFilterPolicyItem fi = new RangerRowFilterPolicyItem();
                fi.setGroups(analysts);
                fi.setAccesses(List.of(new RangerPolicyItemAccess("select", true)));
                fi.setRowFilterInfo(new RangerPolicyItemRowFilterInfo(retentionFilter(schema.timeField(), d.retentionDays())));
                filter.setRowFilterPolicyItems(List.of(fi));
                out.add(filter);
            }
        }
        return out;
    }

    private RangerPolicy mask(String name, String description, Map<String, RangerPolicyResource> column,
                              List<String> groups, String maskType) {
        RangerPolicy mask = policy(name, description, column, List.of());
        mask.setPolicyType(RangerPolicy.POLICY_TYPE_DATAMASK);
        RangerDataMaskPolicyItem mi = new RangerDataMaskPolicyItem();
        mi.setGroups(groups);
        mi.setAccesses(List.of(new RangerPolicyItemAccess("select", true)));
        mi.setDataMaskInfo(new RangerPolicyItemDataMaskInfo(maskType, null, null));
        mask.setDataMaskPolicyItems(List.of(mi));
        return mask;
    }

    public static String retentionFilter(String timeField, int days) {
        return timeField + " >= (unix_timestamp() - " + days + " * 86400) * 1000";
    }

    // --- knox ----------------------------------------------------------------------------------------

    private List<RangerPolicy> knox() {
        List<RangerPolicy> out = new ArrayList<>();
        Map<String, RangerPolicyResource> r = new LinkedHashMap<>();
        r.put("topology", new RangerPolicyResource(n.knoxTopology()));
        r.put("service", new RangerPolicyResource(Arrays.asList("HIVE", "WEBHDFS"), false, false));
        out.add(policy("analysts-auditors-gateway", "Analysts and auditors query Hive and browse WebHDFS through the gateway.",
                r, allow(List.of(), groups(Role.ANALYST, Role.AUDITOR), "allow")));
        Map<String, RangerPolicyResource> all = new LinkedHashMap<>();
        all.put("topology", new RangerPolicyResource(n.knoxTopology()));
        all.put("service", new RangerPolicyResource("*"));
        out.add(policy("admins-gateway", "Admins use every service of the environment's topology.",
                all, allow(List.of(), groups(Role.ADMIN), "allow")));
        return out;
    }

    // --- schema classification -> masks -------------------------------------------------------------

    record Schema(Map<String, String> masks, Map<String, String> classes, String timeField) {
    }

    /**
     * Masks from the latest schema's classifications: deterministic PII keeps its last 4 characters
     * (enough to recognise a card), randomized PII becomes NULL when the column is nullable and a hash
     * otherwise (still joinable, never readable).
     */
    Schema schema(Dataset d) {
        Path dir = schemasDir.resolve(d.name());
        Map<String, String> masks = new LinkedHashMap<>();
        Map<String, String> classes = new LinkedHashMap<>();
        if (!Files.isDirectory(dir)) {
            return new Schema(masks, classes, null);
        }
        try (Stream<Path> files = Files.list(dir)) {
            Path latest = files.filter(p -> p.getFileName().toString().matches("v\\d+\\.avsc"))
                    .max((a, b) -> Integer.compare(version(a), version(b))).orElse(null);
            if (latest == null) {
                return new Schema(masks, classes, null);
            }
            JsonNode root = RangerJson.MAPPER.readTree(latest.toFile());
            for (JsonNode f : root.path("fields")) {
                JsonNode cls = f.path(Classification.PROPERTY);
                if (cls.isMissingNode() || cls.isNull()) {
                    continue;
                }
                String name = f.path("name").asText();
                boolean nullable = f.path("type").isArray()
                        && f.path("type").toString().contains("\"null\"");
                Classification c;
                try {
                    // The one parser of the property: a value it does not know fails here, never leaves a column unmasked.
                    c = Classification.parse(name, cls.isTextual() ? cls.textValue() : cls.toString());
                } catch (IllegalArgumentException unknown) {
                    throw new IllegalArgumentException(latest + ": " + unknown.getMessage(), unknown);
                }
                masks.put(name, switch (c) {
                    case PII_DETERMINISTIC -> "MASK_SHOW_LAST_4";
                    case PII_RANDOMIZED -> nullable ? "MASK_NULL" : "MASK_HASH";
                });
                classes.put(name, c.label());
            }
            String timeField = root.path("time_field").asText(null);
            return new Schema(masks, classes, timeField);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read schemas of " + d.name() + " in " + dir, e);
        }
    }

    private static int version(Path p) {
        String s = p.getFileName().toString();
        return Integer.parseInt(s.substring(1, s.indexOf('.')));
    }

    // --- helpers -------------------------------------------------------------------------------------

    private List<String> groups(Role... roles) {
        List<Role> wanted = List.of(roles);
        return env.groups().stream().filter(g -> wanted.contains(g.role())).map(g -> g.name()).toList();
    }

    private static RangerPolicy policy(String name, String description, Map<String, RangerPolicyResource> resources,
                                       List<RangerPolicyItem> allow) {
        RangerPolicy p = new RangerPolicy();
        p.setName(name);
        p.setDescription(description);
        p.setResources(resources);
        p.setPolicyItems(new ArrayList<>(allow));
        return p;
    }

    private static Map<String, RangerPolicyResource> res(String key, String... values) {
        Map<String, RangerPolicyResource> m = new LinkedHashMap<>();
        m.put(key, new RangerPolicyResource(Arrays.asList(values), false, false));
        return m;
    }

    private static Map<String, RangerPolicyResource> recursive(String path) {
        Map<String, RangerPolicyResource> m = new LinkedHashMap<>();
        m.put("path", new RangerPolicyResource(List.of(path), false, true));
        return m;
    }

    private static Map<String, RangerPolicyResource> tables(String db, boolean withColumns) {
        Map<String, RangerPolicyResource> m = new LinkedHashMap<>();
        m.put("database", new RangerPolicyResource(db));
        m.put("table", new RangerPolicyResource("*"));
        if (withColumns) {
            m.put("column", new RangerPolicyResource("*"));
        }
        return m;
    }

    private static Map<String, RangerPolicyResource> column(String db, String column) {
        Map<String, RangerPolicyResource> m = tables(db, false);
        m.put("column", new RangerPolicyResource(column));
        return m;
    }

    private static List<RangerPolicyItem> allow(List<String> users, List<String> groups, String... accesses) {
        return List.of(item(users, groups, accesses));
    }

    private static RangerPolicyItem item(List<String> users, List<String> groups, String... accesses) {
        RangerPolicyItem i = new RangerPolicyItem();
        i.setUsers(new ArrayList<>(users));
        i.setGroups(new ArrayList<>(groups));
        List<RangerPolicyItemAccess> a = new ArrayList<>();
        for (String s : accesses) {
            a.add(new RangerPolicyItemAccess(s, true));
        }
        i.setAccesses(a);
        return i;
    }
}
