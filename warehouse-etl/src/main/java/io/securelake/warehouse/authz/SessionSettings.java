package io.securelake.warehouse.authz;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import scala.Option;

/**
 * The session settings a person may read or change: an allow-list of settings that change how a query
 * runs or prints, never what it may see. Everything else is refused: {@code spark.sql.optimizer.excludedRules}
 * can switch rules off, {@code spark.sql.catalog.<name>} instantiates any class on the server, and
 * {@code SET} without a key, or of a key not listed, would print the server's configuration (keystore
 * passwords and keytab paths among it).
 * <p>Settings reach a session three ways: {@code SET} statements, {@code hiveconf}/{@code hivevar} entries
 * of the JDBC URL, and the Thrift server's own session set-up. The first is judged when it runs
 * ({@link #judgeSet}); all three are judged again before every statement ({@link #judgeSession}),
 * which compares the session's effective settings with the server's, so a setting that slipped in at
 * session open refuses every statement of that session.
 */
final class SessionSettings {
    /** May be read and changed by anyone. */
    static final Set<String> ALLOWED = Set.of(
            "spark.sql.shuffle.partitions",
            "spark.sql.session.timeZone",
            "spark.sql.ansi.enabled",
            "spark.sql.adaptive.enabled",
            "spark.sql.adaptive.coalescePartitions.enabled",
            "spark.sql.adaptive.skewJoin.enabled",
            "spark.sql.autoBroadcastJoinThreshold",
            "spark.sql.broadcastTimeout",
            "spark.sql.files.maxPartitionBytes",
            "spark.sql.cbo.enabled",
            "spark.sql.cbo.joinReorder.enabled",
            "spark.sql.join.preferSortMergeJoin",
            "spark.sql.legacy.timeParserPolicy",
            "spark.sql.mapKeyDedupPolicy",
            // Set by the Thrift server itself at session open.
            "spark.sql.datetime.java8API.enabled",
            // Sent by Hive JDBC drivers at session open (hiveconf): the driver's fetch size.
            "hive.server2.thrift.resultset.default.fetch.size");

    private SessionSettings() {
    }

    /**
     * A {@code SET} statement: {@code kv} empty lists every setting; a key without value reads one.
     * @return why it is refused, if it is
     */
    static Optional<String> judgeSet(Option<scala.Tuple2<String, Option<String>>> kv) {
        if (kv.isEmpty()) {
            return Optional.of("list the server's settings [SET]: only " + allowedList() + " may be read");
        }
        String key = kv.get()._1().trim();
        boolean write = kv.get()._2().isDefined();
        if (ALLOWED.contains(key)) {
            return Optional.empty();
        }
        return Optional.of((write ? "change" : "read") + " the setting [" + key + "]: only " + allowedList()
                + " may be " + (write ? "changed" : "read") + " in a session");
    }

    /**
     * Every setting of the session that differs from the server's configuration must be allowed.
     * @return why the session may not run statements, if it may not
     */
    static Optional<String> judgeSession(SparkSession session) {
        // ${spark:…}, ${system:…} and ${env:…} in SQL text are replaced before parsing, so no rule sees them:
        // '${spark:spark.hadoop.hive.server2.keystore.password}' would be a literal holding the secret.
        if (session.sessionState().conf().variableSubstituteEnabled()) {
            return Optional.of("run statements on a server that substitutes ${…} variables in SQL text"
                    + " (spark.sql.variable.substitute=true exposes its configuration and environment)");
        }
        SparkConf server = session.sparkContext().conf();
        Map<String, String> changed = new TreeMap<>();
        for (scala.Tuple2<String, String> e : Scala.list(session.sessionState().conf().getAllConfs().toSeq())) {
            Option<String> base = server.getOption(e._1());
            if ((base.isEmpty() || !base.get().equals(e._2())) && !ALLOWED.contains(e._1())) {
                changed.put(e._1(), e._2());
            }
        }
        if (changed.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("run statements in a session that changed the setting " + changed.keySet()
                + " (set when the session was opened or by SET): only " + allowedList()
                + " may be changed; open a new session without it");
    }

    private static String allowedList() {
        return "the settings listed in docs/WAREHOUSE.md";
    }
}
