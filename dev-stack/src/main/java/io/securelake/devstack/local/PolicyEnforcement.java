package io.securelake.devstack.local;

import io.securelake.contracts.plugins.PolicyPluginSettings;
import io.securelake.envs.Environment;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where the core's authorizers find the environment definitions and the Ranger policies as code, and
 * the broker and NameNode settings that plug Ranger's engine in. Policy files are read live: an edit
 * takes effect within seconds, without restart.
 */
public record PolicyEnforcement(Path envsDir, Path policiesDir) {
    static final String KAFKA_AUTHORIZER = "io.securelake.policies.kafka.RangerKafkaAuthorizer";
    static final String HDFS_AUTHORIZER = "io.securelake.policies.hdfs.RangerHdfsAuthorizer";

    public PolicyEnforcement {
        envsDir = Objects.requireNonNull(envsDir, "envsDir").toAbsolutePath().normalize();
        policiesDir = Objects.requireNonNull(policiesDir, "policiesDir").toAbsolutePath().normalize();
    }

    /** The project layout: {@code <project>/envs} beside {@code <project>/security-policies/policies}. */
    public static PolicyEnforcement projectDefaults(Environment env) {
        Path envs = env.source().toAbsolutePath().getParent();
        return new PolicyEnforcement(envs, envs.resolveSibling("security-policies").resolve("policies"));
    }

    /** Broker settings: Ranger decides every Kafka request (instead of ACLs) and audits it. */
    public Map<String, String> kafkaBrokerProperties(Environment env, Path auditDir) {
        Map<String, String> p = new LinkedHashMap<>(settings(env, auditDir).brokerSettings());
        p.put("authorizer.class.name", KAFKA_AUTHORIZER);
        return p;
    }

    /** NameNode settings: Ranger decides every HDFS access check; POSIX bits never (no fallback). */
    public Map<String, String> nameNodeProperties(Environment env, Path auditDir) {
        Map<String, String> p = new LinkedHashMap<>(settings(env, auditDir).nameNodeSettings());
        p.put("dfs.namenode.inode.attributes.provider.class", HDFS_AUTHORIZER);
        return p;
    }

    private PolicyPluginSettings settings(Environment env, Path auditDir) {
        return PolicyPluginSettings.of(env.name(), envsDir, policiesDir, auditDir);
    }
}
