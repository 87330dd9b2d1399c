package io.securelake.platform.audit;

import io.securelake.audit.AuditRecord;
import io.securelake.audit.AuditSink;
import io.securelake.audit.BatchingAuditSink;
import io.securelake.audit.JsonLinesAuditSink;
import io.securelake.envs.Environment;
import io.securelake.kerberos.KdcExchange;
import io.securelake.kerberos.KdcExchangeListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The KDC's decisions in the audit trail, stage {@value #STAGE}: every login (ticket-granting ticket, action
 * {@value #LOGIN}) and every service ticket ({@value #SERVICE_TICKET}), granted or refused, with the Kerberos
 * reason for a refusal (wrong password or key, unknown principal, …). Every client of every stage
 * authenticates here, so this is where a failed authentication to Kafka, HDFS, the KMS or the query server
 * shows up.
 */
public final class KdcAudit implements KdcExchangeListener, AutoCloseable {
    public static final String STAGE = "kdc";
    public static final String LOGIN = "authenticate";
    public static final String SERVICE_TICKET = "service-ticket";

    private final Environment env;
    private final AuditSink sink;
    private final Consumer<String> log;

    KdcAudit(Environment env, AuditSink sink, Consumer<String> log) {
        this.env = Objects.requireNonNull(env, "env");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.log = Objects.requireNonNull(log, "log");
    }

    /** Writes to {@code <auditRoot>/kdc/} (the local trail, shipped to HDFS like every stage). */
    public static KdcAudit open(Environment env, Path auditRoot, Consumer<String> log) {
        return new KdcAudit(env, new BatchingAuditSink(JsonLinesAuditSink.firstFree(auditRoot, STAGE), 16_384,
                Duration.ofMillis(200), Duration.ofSeconds(30)), log);
    }

    @Override
    public void onExchange(KdcExchange e) {
        try {
            sink.write(toRecord(e));
        } catch (RuntimeException failure) {
            // The KDC must answer regardless; the failure itself is reported where the operator looks.
            log.accept("audit: cannot record the KDC's " + (e.granted() ? "grant" : "refusal") + " for "
                    + e.client() + ": " + failure.getMessage());
        }
    }

    AuditRecord toRecord(KdcExchange e) {
        boolean login = e.kind() == KdcExchange.Kind.AS;
        String reason;
        if (!e.granted()) {
            reason = (login ? "login refused by the KDC: " : "service ticket refused by the KDC: ") + e.error();
        } else if (!login) {
            reason = "service ticket issued by the KDC of " + env.realm();
        } else if (e.preauthenticated()) {
            reason = "logged in: key proven (pre-authentication), ticket-granting ticket issued by the KDC of "
                    + env.realm();
        } else {
            // e.g. MIT kinit's first request: the KDC cannot tell a right password from a wrong one here
            reason = "ticket-granting ticket issued without pre-authentication: usable only with the principal's key "
                    + "(a wrong password fails on the client, unseen by the KDC)";
        }
        return new AuditRecord(e.time(), env.name(), STAGE, env.name() + "_" + STAGE, principal(e.client()), List.of(),
                e.clientAddress(), "principal=" + (e.service() == null ? "unknown" : withoutRealm(e.service())),
                login ? LOGIN : SERVICE_TICKET, e.granted() ? AuditRecord.Result.ALLOWED : AuditRecord.Result.DENIED,
                null, reason, null);
    }

    /** {@code name[/host]} of a principal of this realm; a foreign realm stays visible. */
    private String principal(String qualified) {
        return qualified == null ? "unknown" : withoutRealm(qualified);
    }

    private String withoutRealm(String qualified) {
        String suffix = "@" + env.realm();
        return qualified.endsWith(suffix) ? qualified.substring(0, qualified.length() - suffix.length()) : qualified;
    }

    @Override
    public void close() {
        sink.close();
    }
}
