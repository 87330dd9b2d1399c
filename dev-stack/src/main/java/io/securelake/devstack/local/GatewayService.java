package io.securelake.devstack.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.contracts.CoreEndpoints;
import io.securelake.contracts.files.DurableLocalFiles;
import io.securelake.contracts.status.GatewayFigures;
import io.securelake.contracts.status.ServiceKind;
import io.securelake.contracts.status.ServiceStatus;
import io.securelake.devstack.tls.TlsMaterial;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentNames;
import io.securelake.envs.Person;
import io.securelake.envs.Principals;
import io.securelake.envs.RangerServiceType;
import io.securelake.envs.ServiceRole;
import io.securelake.operations.connect.StackHome;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * The environment's Knox gateway (with the directory people log in to) as its own JVM on Knox's class
 * path, started by {@code up} after the query server (as an OS user of its own where {@code up} may arrange it):
 * the only way in for people (Hive over JDBC/HTTP, WebHDFS). People's directory passwords are generated on first
 * start and kept, owner-readable only; the gateway gets them salted and hashed.
 */
final class GatewayService {
    static final String MAIN = "io.securelake.knox.GatewayMain";
    static final String MODULE = "knox";

    private final Environment env;
    private final PolicyEnforcement layout;
    private final StackHome home;
    private final ChildService<GatewayFigures> service;

    GatewayService(Environment env, PolicyEnforcement layout, StackHome home) {
        this.env = env;
        this.layout = layout;
        this.home = home;
        this.service = new ChildService<>(ServiceKind.GATEWAY, home, ServiceStatus.GATEWAY);
    }

    ChildService<GatewayFigures> service() {
        return service;
    }

    /** {@code person=password} for the environment's directory; generated once, mode 600. */
    Path passwordsFile() {
        return home.root().resolve("people-passwords.properties");
    }

    /**
     * Starts the gateway as its own OS user when {@code up} can arrange it ({@link OsAccounts}), with copies of its
     * own credentials only (its keytab, krb5.conf, the CA truststore) and the people's passwords salted and hashed:
     * the clear ones stay in {@link #passwordsFile()}, root's alone.
     */
    Process start(Distribution dist, CoreEndpoints endpoints, int port, int ldapPort, int queryPort, Duration timeout, Consumer<Process> spawned) {
        Isolation wanted = OsAccounts.arrange(env.names().osUser(ServiceRole.GATEWAY), "Knox gateway of " + env.name());
        ensurePasswords();
        service.freshCredentials();
        Path hashes = service.credentialsDir().resolve("people-password-hashes.properties");
        writeHashes(hashes);
        Path config = writeConfig(endpoints, port, ldapPort, queryPort, hashes);
        String classPath = dist.classPath(MODULE);
        Isolation isolation = service.delegate(wanted, home.auditDir().resolve(RangerServiceType.KNOX.serviceDefName()),
                ChildService.runtimeNeeds(dist, MODULE, layout, config));
        return service.start(() -> ChildJvm.start(List.of("-Xmx512m", "-XX:+UseSerialGC"), classPath, MAIN,
                List.of("--config", config.toString()), service.log(), isolation.user(), Optional.of(service.stateDir())),
                timeout, isolation, spawned);
    }

    /**
     * {@code person={SSHA256}base64(SHA-256(password ‖ salt) ‖ salt)}, the RFC 2307 form the gateway's directory
     * (ApacheDS) verifies binds against: the gateway can check a password, not tell it.
     */
    private void writeHashes(Path file) {
        Properties clear = readPasswords();
        SecureRandom random = new SecureRandom();
        StringBuilder out = new StringBuilder("# salted SHA-256 of the people's directory passwords (generated at each start)\n");
        for (Person person : env.people()) {
            String name = env.names().personPrincipal(person);
            String password = clear.getProperty(name);
            if (password == null) {
                throw new IllegalStateException("no password for " + name + " in " + passwordsFile());
            }
            out.append(name).append('=').append(ssha256(password, random)).append('\n');
        }
        try {
            DurableLocalFiles.writeAtomically(file, out.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    DurableLocalFiles.OWNER_ONLY);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    static String ssha256(String password, SecureRandom random) {
        byte[] salt = new byte[8];
        random.nextBytes(salt);
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            sha.update(password.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            sha.update(salt);
            byte[] digest = sha.digest();
            byte[] stored = java.util.Arrays.copyOf(digest, digest.length + salt.length);
            System.arraycopy(salt, 0, stored, digest.length, salt.length);
            return "{SSHA256}" + Base64.getEncoder().encodeToString(stored);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
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
        // Replaced whole: a crash while writing must not cost the people their passwords.
        try (java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream()) {
            p.store(out, "Directory passwords of " + env.name() + "'s people (local stack only; generated, never committed)");
            DurableLocalFiles.writeAtomically(file, out.toByteArray(), DurableLocalFiles.OWNER_ONLY);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private Path writeConfig(CoreEndpoints e, int port, int ldapPort, int queryPort, Path passwordHashes) {
        TlsMaterial tls = TlsMaterial.load(home.tlsDir()).orElseThrow(() -> new IllegalStateException(
                "no TLS material in " + home.tlsDir() + ": the core makes it at its start"));
        String principal = e.realm() == null ? env.names().servicePrincipal(ServiceRole.GATEWAY)
                : Principals.qualify(env.names().servicePrincipal(ServiceRole.GATEWAY), e.realm());
        String keytab = e.keytabs().get(principal);
        if (keytab == null) {
            throw new IllegalStateException("no keytab for the gateway principal " + principal + " in " + home.endpointsFile());
        }
        Path ownKeytab = service.copyCredential(Path.of(keytab), Path.of(keytab).getFileName().toString());
        Path krb5 = service.copyCredential(Path.of(e.krb5Conf()), "krb5.conf");
        Path truststore = service.copyCredential(tls.truststore(), "truststore.p12");
        String webHdfs = e.webHdfs().endsWith("/v1") ? e.webHdfs().substring(0, e.webHdfs().length() - 3) : e.webHdfs();
        ObjectNode c = new ObjectMapper().createObjectNode()
                .put("environment", env.name())
                .put("envs_dir", layout.envsDir().toAbsolutePath().toString())
                .put("policies_dir", layout.policiesDir().toAbsolutePath().toString())
                .put("state_dir", service.stateDir().toString())
                .put("audit_dir", home.auditDir().toString())
                .put("port", port)
                .put("ldap_port", ldapPort)
                .put("people_password_hashes", passwordHashes.toString())
                // dialled by address: Knox asks for HTTP/127.0.0.1, the query server's own principal
                .put("hive_url", "https://" + EnvironmentNames.LOCAL_QUERY_HOST + ":" + queryPort + "/cliservice")
                .put("webhdfs_url", webHdfs)
                .put("krb5_conf", krb5.toString())
                .put("principal", principal)
                .put("keytab", ownKeytab.toString())
                .put("truststore", truststore.toString())
                .put("truststore_password", tls.truststorePassword());
        return service.writePrivate("gateway.json", c.toPrettyString());
    }

}
