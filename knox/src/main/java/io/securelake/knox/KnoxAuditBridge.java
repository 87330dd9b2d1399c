package io.securelake.knox;

import io.securelake.audit.AuditRecord;
import io.securelake.audit.AuditSink;
import io.securelake.envs.Environment;
import io.securelake.envs.RangerServiceType;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.knox.gateway.audit.api.Action;
import org.apache.knox.gateway.audit.api.ActionOutcome;
import org.apache.knox.gateway.audit.log4j.audit.AuditConstants;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.util.ReadOnlyStringMap;

/**
 * Feeds Knox's own audit events (the {@code gateway-audit.log} stream: log4j2 logger {@value AuditConstants#DEFAULT_AUDITOR_NAME},
 * fields in the thread context) into the securelake audit trail, stage {@code knox}: authentication successes
 * (with the groups the directory gave) and failures (wrong password, unknown user). Authorization decisions are
 * written by the policy store itself ({@link KnoxAuthorizer}), so Knox's echo of them is not repeated here.
 */
public final class KnoxAuditBridge extends AbstractAppender {
    static final String APPENDER_NAME = "securelake-audit";
    static final String ACTION_AUTHENTICATE = "authenticate";
    private static final String MDC_USER = "audit_context_username";
    private static final String MDC_REMOTE_IP = "audit_context_remoteIp";
    private static final String MDC_TARGET_SERVICE = "audit_context_targetServiceName";
    private static final String MDC_TRACE = "correlation_context_requestId";
    private static final Pattern GROUPS = Pattern.compile("Groups: \\[(.*)]");

    private final Environment env;
    private final String gatewayPath;
    private final AuditSink sink;
    private final Clock clock;
    private final Consumer<String> log;

    KnoxAuditBridge(Environment env, String gatewayPath, AuditSink sink, Clock clock, Consumer<String> log) {
        super(APPENDER_NAME, null, null, true, Property.EMPTY_ARRAY);
        this.env = Objects.requireNonNull(env);
        this.gatewayPath = Objects.requireNonNull(gatewayPath);
        this.sink = Objects.requireNonNull(sink);
        this.clock = Objects.requireNonNull(clock);
        this.log = Objects.requireNonNull(log);
    }

    /** Attaches a bridge to Knox's audit logger in the running log4j2 configuration. */
    public static KnoxAuditBridge install(Environment env, String gatewayPath, AuditSink sink, Consumer<String> log) {
        KnoxAuditBridge bridge = new KnoxAuditBridge(env, gatewayPath, sink, Clock.systemUTC(), log);
        bridge.start();
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration cfg = ctx.getConfiguration();
        cfg.addAppender(bridge);
        LoggerConfig lc = cfg.getLoggerConfig(AuditConstants.DEFAULT_AUDITOR_NAME);
        if (!lc.getName().equals(AuditConstants.DEFAULT_AUDITOR_NAME)) {
            lc = new LoggerConfig(AuditConstants.DEFAULT_AUDITOR_NAME, Level.INFO, false);
            cfg.addLogger(AuditConstants.DEFAULT_AUDITOR_NAME, lc);
        }
        if (lc.getLevel() == null || !lc.getLevel().isLessSpecificThan(Level.INFO)) {
            lc.setLevel(Level.INFO);
        }
        lc.addAppender(bridge, Level.INFO, null);
        ctx.updateLoggers();
        return bridge;
    }

    /** Detaches the bridge (before the sink is closed). */
    public void uninstall() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration cfg = ctx.getConfiguration();
        cfg.getLoggerConfig(AuditConstants.DEFAULT_AUDITOR_NAME).removeAppender(APPENDER_NAME);
        ctx.updateLoggers();
        stop();
    }

    @Override
    public void append(LogEvent event) {
        ReadOnlyStringMap ctx = event.getContextData();
        AuditRecord record = toRecord(ctx.getValue(AuditConstants.MDC_ACTION_KEY),
                ctx.getValue(AuditConstants.MDC_OUTCOME_KEY), ctx.getValue(AuditConstants.MDC_RESOURCE_TYPE_KEY),
                ctx.getValue(AuditConstants.MDC_RESOURCE_NAME_KEY), ctx.getValue(MDC_USER),
                ctx.getValue(MDC_REMOTE_IP), ctx.getValue(MDC_TARGET_SERVICE), ctx.getValue(MDC_TRACE),
                event.getMessage() == null ? null : event.getMessage().getFormattedMessage(),
                Instant.ofEpochMilli(event.getTimeMillis()));
        if (record == null) {
            return;
        }
        try {
            sink.write(record);
        } catch (RuntimeException e) {
            log.accept("audit: cannot record Knox " + record.action() + " of " + record.user() + ": " + e.getMessage());
        }
    }

    /**
     * The securelake record of one Knox audit event, or null for events the trail does not take (authorization:
     * written by the policy store; dispatch, access, identity mapping, deployments: operational, in gateway-audit.log).
     * For a success Knox logs twice (without, then with the groups): only the one with groups is kept.
     */
    AuditRecord toRecord(String action, String outcome, String resourceType, String resourceName, String user,
                         String remoteIp, String targetService, String traceId, String message, Instant time) {
        if (!Action.AUTHENTICATION.equals(action)) {
            return null;
        }
        String topology = env.names().knoxTopology();
        String service = env.names().rangerService(RangerServiceType.KNOX);
        boolean success = ActionOutcome.SUCCESS.equals(outcome);
        if (success) {
            Matcher m = message == null ? null : GROUPS.matcher(message);
            if (m == null || !m.find() || user == null) {
                return null;
            }
            List<String> groups = Arrays.stream(m.group(1).split(",")).map(String::strip).filter(s -> !s.isEmpty())
                    .sorted().toList();
            return new AuditRecord(time == null ? clock.instant() : time, env.name(), "knox", service, user, groups,
                    remoteIp, resource(resourceName, targetService, topology), ACTION_AUTHENTICATE,
                    AuditRecord.Result.ALLOWED, null,
                    "authenticated by the " + env.name() + " directory (LDAP)", traceId);
        }
        // failure: Knox names the attempted principal as the resource
        String who = "principal".equalsIgnoreCase(resourceType) && resourceName != null ? resourceName
                : user != null ? user : "unknown";
        String why = message == null || message.isBlank() ? "authentication failed"
                : "authentication failed: " + message.strip();
        return new AuditRecord(time == null ? clock.instant() : time, env.name(), "knox", service, who, List.of(),
                remoteIp, resource(null, targetService, topology), ACTION_AUTHENTICATE, AuditRecord.Result.DENIED, null,
                why, traceId);
    }

    /** The resource in the notation of the knox policies: Knox's target service, else read from the URL. */
    String resource(String url, String targetService, String topology) {
        if (targetService != null && !targetService.isBlank()) {
            return "topology=" + topology + ";service=" + targetService.toUpperCase(Locale.ROOT);
        }
        return resourceOf(url, topology);
    }

    /** {@code https://host:port/gateway/dev/webhdfs/v1/...} → {@code topology=dev;service=WEBHDFS}. */
    String resourceOf(String url, String defaultTopology) {
        if (url == null) {
            return "topology=" + defaultTopology;
        }
        String path;
        try {
            path = URI.create(url).getPath();
        } catch (IllegalArgumentException e) {
            path = url;
        }
        if (path == null) {
            return "topology=" + defaultTopology;
        }
        String prefix = "/" + gatewayPath + "/";
        int i = path.indexOf(prefix);
        if (i < 0) {
            return "topology=" + defaultTopology;
        }
        String[] parts = path.substring(i + prefix.length()).split("/");
        String topology = parts.length > 0 && !parts[0].isEmpty() ? parts[0] : defaultTopology;
        if (parts.length > 1 && !parts[1].isEmpty()) {
            return "topology=" + topology + ";service=" + parts[1].toUpperCase(Locale.ROOT);
        }
        return "topology=" + topology;
    }
}
