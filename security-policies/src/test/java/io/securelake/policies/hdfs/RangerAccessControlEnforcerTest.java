package io.securelake.policies.hdfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.securelake.audit.AuditQuery;
import io.securelake.audit.AuditRecord;
import io.securelake.audit.AuditSearch;
import io.securelake.audit.JsonLinesAuditSink;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentNames;
import io.securelake.envs.RangerServiceType;
import io.securelake.envs.ServiceRole;
import io.securelake.policies.engine.EnvironmentGroups;
import io.securelake.policies.engine.PolicyStore;
import io.securelake.policies.tools.PolicyNames;
import io.securelake.testsupport.ShippedEnvironments;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.fs.permission.FsAction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The enforcer's decision function over the committed dev HDFS policies and Ranger's engine. */
class RangerAccessControlEnforcerTest {
    @TempDir
    Path tmp;

    private Environment dev;
    private EnvironmentNames n;
    private JsonLinesAuditSink audit;
    private PolicyStore store;
    private RangerAccessControlEnforcer enforcer;
    private EnvironmentGroups groups;

    @BeforeEach
    void start() {
        dev = ShippedEnvironments.load("dev");
        n = dev.names();
        audit = new JsonLinesAuditSink(tmp.resolve("audit"));
        store = PolicyStore.open(PolicyStore.Config.of(dev, RangerServiceType.HDFS, ShippedEnvironments.policiesDir(), audit).withWatch(false));
        enforcer = new RangerAccessControlEnforcer(store, null, false);
        groups = new EnvironmentGroups(dev);
    }

    @AfterEach
    void stop() {
        store.close();
        audit.close();
    }

    /** Creating a file under an existing directory: traverse the parents, WRITE on the nearest ancestor. */
    private RangerAccessControlEnforcer.Refusal create(String user, String dir, String file) {
        List<String> traversed = PolicyNames.parents(dir + "/x");
        return enforcer.authorize(new HdfsCheck(user, groups.groupsOf(user), "127.0.0.1", "hdfs", "supergroup",
                dir + "/" + file, traversed, dir, FsAction.WRITE, null, null, null, null, false, null, "create"));
    }

    private RangerAccessControlEnforcer.Refusal read(String user, String file) {
        List<String> traversed = PolicyNames.parents(file);
        return enforcer.authorize(new HdfsCheck(user, groups.groupsOf(user), "127.0.0.1", "hdfs", "supergroup",
                file, traversed, null, null, null, null, FsAction.READ, null, false, null, "open"));
    }

    @Test
    void zonesAreWrittenOnlyByTheirWriters() {
        String raw = n.rawPath(dev.datasets().get(0));
        String curated = n.curatedPath(dev.datasets().get(0));
        String writer = n.servicePrincipal(ServiceRole.LAKE_WRITER);
        String etl = n.servicePrincipal(ServiceRole.ETL);
        assertThat(create(writer, raw, "part-0.avro")).isNull();
        assertThat(create(writer, curated, "part-0.parquet")).isNotNull();
        assertThat(create(etl, curated, "part-0.parquet")).isNull();
        assertThat(create(etl, raw, "part-0.avro")).isNotNull();
        assertThat(read(etl, raw + "/part-0.avro")).isNull();
    }

    @Test
    void refusalNamesUserPathAndActionButNoPolicy() {
        String raw = n.rawPath(dev.datasets().get(0));
        RangerAccessControlEnforcer.Refusal r = create("alice", raw, "evil.avro");
        assertThat(r).isNotNull();
        // alice may traverse to the environment's lake root but not into the raw zone
        assertThat(r.exception().getMessage()).isEqualTo("Permission denied: user=alice, access=EXECUTE, path=\""
                + n.rawZone() + "\" (not granted by the environment's HDFS policies)");
        String home = n.userHome("alice");
        RangerAccessControlEnforcer.Refusal w = enforcer.authorize(new HdfsCheck("carol", groups.groupsOf("carol"), null,
                "hdfs", "supergroup", home + "/notes.txt", PolicyNames.parents(home + "/x"), home, FsAction.WRITE,
                null, null, null, null, false, null, "create"));
        assertThat(create("alice", home, "notes.txt")).isNull();
        assertThat(w.exception().getMessage()).isEqualTo("Permission denied: user=carol, access=EXECUTE, path=\""
                + home + "\" (not granted by the environment's HDFS policies)");
        RangerAccessControlEnforcer.Refusal traverse = read("mallory", raw + "/x");
        assertThat(traverse.path()).isEqualTo("/");
        assertThat(traverse.action()).isEqualTo("execute");
    }

    @Test
    void auditTrailReadableByAuditorsOnlyAndAppendOnly() {
        String file = n.auditPath() + "/audit-2026-01-01.jsonl";
        assertThat(read("dave", file)).isNull();
        assertThat(read("carol", file)).isNotNull();
        assertThat(read("alice", file)).isNotNull();
        assertThat(create("dave", n.auditPath(), "forged.jsonl")).isNotNull();
        String otherEnvWriter = ShippedEnvironments.load("sit").names().servicePrincipal(ServiceRole.LAKE_WRITER);
        assertThat(create(otherEnvWriter, n.rawPath(dev.datasets().get(0)), "x")).isNotNull();
    }

    @Test
    void superuserPassesAndEveryDecisionIsAudited() {
        assertThat(enforcer.authorize(new HdfsCheck("hdfs", java.util.Set.of(), null, "hdfs", "supergroup", "/lake",
                List.of("/"), null, null, null, null, FsAction.ALL, null, false, null, "delete"))).isNull();
        read("mallory", n.rawPath(dev.datasets().get(0)) + "/x");
        audit.flush();
        List<AuditRecord> records = AuditSearch.in(tmp.resolve("audit")).find(AuditQuery.all());
        assertThat(records).extracting(AuditRecord::reason).first().isEqualTo("HDFS superuser");
        AuditRecord denied = records.get(records.size() - 1);
        assertThat(denied.user()).isEqualTo("mallory");
        assertThat(denied.result()).isEqualTo(AuditRecord.Result.DENIED);
        assertThat(denied.resource()).isEqualTo("path=/");
        assertThat(denied.stage()).isEqualTo("hdfs");
    }
}
