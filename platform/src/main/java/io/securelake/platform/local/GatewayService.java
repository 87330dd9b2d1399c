package io.securelake.platform.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.envs.Environment;
import io.securelake.envs.Person;
import io.securelake.envs.ServiceRole;
import io.securelake.platform.tls.TlsMaterial;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The environment's Knox gateway (with the directory people log in to) as its own JVM on Knox's class
 * path, started by {@code up} after the query server: the only way in for people (Hive over JDBC/HTTP,
 * WebHDFS). People's directory passwords are generated on first start and kept, owner-readable only.
 */
final class GatewayService {
    static final String MAIN = "io.securelake.knox.GatewayMain";
    static final String MODULE = "knox";

    private final Environment env;
    private final PolicyEnforcement layout;
    private final StackHome home;
    private final ChildService service;

    GatewayService(Environment env, PolicyEnforcement layout, StackHome home) {
        this.env = env;
        this.layout = layout;
        this.home = home;
        this.service = new ChildService("knox", home, "ready.json");
    }

    ChildService service() {
        return service;
    }

    /** {@code person=password} for the environment's directory; generated once, mode 600. */
    Path passwordsFile() {
        return home.root().resolve("people-passwords.properties");
    }

    void start(Distribution dist, CoreEndpoints endpoints, int port, int ldapPort, int queryPort, Duration timeout) {
        ensurePasswords();
        Path config = writeConfig(endpoints, port, ldapPort, queryPort);
        String classPath = dist.classPath(MODULE);
        service.start(() -> ChildJvm.start(List.of("-Xmx512m", "-XX:+UseSerialGC"), classPath, MAIN,
                List.of("--config", config.toString()), service.log()), timeout);
    }

    /** The password of one person of the local directory (for the demo and tests). */
    Optional<String> password(String person) {
        return Optional.ofNullable(readPasswords().getProperty(person));
    }

    private Properties readPasswords() {
        Properties p = new Properties();
        if (Files.exists(passwordsFile())) {
            try (InputStream in = Files.newInputStream(passwordsFile())) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + passwordsFile(), e);
            }
        }
        return p;
    }

    private void ensurePasswords() {
        Properties p = readPasswords();
        boolean changed = false;
        SecureRandom random = new SecureRandom();
        for (Person person : env.people()) {
            String name = env.names().personPrincipal(person);
            if (p.getProperty(name) == null) {
                byte[] b = new byte[15];
                random.nextBytes(b);
                p.setProperty(name, Base64.getUrlEncoder().withoutPadding().encodeToString(b));
                changed = true;
            }
        }
        if (!changed) {
            return;
        }
        Path file = passwordsFile();
        try {
            if (!Files.exists(file)) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            try (OutputStream out = Files.newOutputStream(file)) {
                p.store(out, "Directory passwords of " + env.name() + "'s people (local stack only; generated, never committed)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private Path writeConfig(CoreEndpoints e, int port, int ldapPort, int queryPort) {
        TlsMaterial tls = TlsMaterial.ensure(home.tlsDir(), env.name());
        String principal = e.realm() == null ? env.names().servicePrincipal(ServiceRole.GATEWAY)
                : env.names().servicePrincipal(ServiceRole.GATEWAY) + "@" + e.realm();
        String keytab = e.keytabs().get(principal);
        if (keytab == null) {
            throw new IllegalStateException("no keytab for the gateway principal " + principal + " in " + home.endpointsFile());
        }
        String webHdfs = e.webHdfs().endsWith("/v1") ? e.webHdfs().substring(0, e.webHdfs().length() - 3) : e.webHdfs();
        ObjectNode c = new ObjectMapper().createObjectNode()
                .put("environment", env.name())
                .put("envs_dir", layout.envsDir().toAbsolutePath().toString())
                .put("policies_dir", layout.policiesDir().toAbsolutePath().toString())
                .put("state_dir", service.stateDir().toString())
                .put("audit_dir", home.auditDir().toString())
                .put("port", port)
                .put("ldap_port", ldapPort)
                .put("people_passwords", passwordsFile().toString())
                .put("hive_url", "https://localhost:" + queryPort + "/cliservice")
                .put("webhdfs_url", webHdfs)
                .put("krb5_conf", e.krb5Conf())
                .put("principal", principal)
                .put("keytab", keytab)
                .put("truststore", tls.truststore().toString())
                .put("truststore_password", tls.truststorePassword());
        return service.writePrivate("gateway.json", c.toPrettyString());
    }

    Optional<JsonNode> status() {
        return service.status();
    }
}
