package io.securelake.knox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.audit.AuditQuery;
import io.securelake.audit.AuditRecord;
import io.securelake.audit.AuditSearch;
import io.securelake.audit.AuditVerifier;
import io.securelake.contracts.status.GatewayFigures;
import io.securelake.contracts.status.ServiceState;
import io.securelake.contracts.status.ServiceStatus;
import io.securelake.devstack.kdc.EmbeddedKdc;
import io.securelake.devstack.kdc.KdcSettings;
import io.securelake.kerberos.KerberosJvm;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The real gateway of {@code dev} in its own JVM ({@link GatewayMain}, as the platform starts it), in front of a
 * stand-in backend that speaks HTTPS with its own certificate and SPNEGO against an embedded KDC: Knox must trust
 * the backend through the configured truststore and call it as {@code svc-knox-dev} asserting the end user.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.MethodName.class)
class KnoxGatewayIntegrationTest {
    private static final String REALM = "DEV.SECURELAKE.LOCAL";
    private static Path dir;
    private static EmbeddedKdc kdc;
    private static SpnegoBackend backend;
    private static Process gateway;
    private static Path output;
    private static GatewayConfig config;
    private static ServiceStatus<GatewayFigures> status;
    private static GatewayFigures ready;
    private static Properties passwords;
    private static HttpClient client;

    @BeforeAll
    static void startAll() throws Exception {
        // keep the last run's directory (logs, trail) for inspection, not every run's
        try (var old = Files.newDirectoryStream(Path.of("target"), "knox-it-*")) {
            for (Path p : old) {
                deleteTree(p);
            }
        }
        dir = Files.createTempDirectory(Path.of("target"), "knox-it-").toAbsolutePath();
        kdc = EmbeddedKdc.start(KdcSettings.localhost(REALM, dir.resolve("kdc")));
        kdc.createPrincipal("svc-knox-dev");
        kdc.createPrincipal("HTTP/localhost");
        Path knoxKeytab = kdc.exportKeytab("svc-knox-dev", dir.resolve("keytabs/svc-knox-dev.keytab"));
        Path httpKeytab = kdc.exportKeytab("HTTP/localhost", dir.resolve("keytabs/HTTP_localhost.keytab"));
        KerberosJvm.useKrb5Conf(kdc.krb5Conf());

        // the backends' TLS material: their certificate, and the truststore Knox gets
        Path backendKs = dir.resolve("tls/backend.p12");
        Path backendTs = dir.resolve("tls/backend-truststore.p12");
        GatewayIdentity.create("backend", backendKs, "changeit".toCharArray(), backendTs, "trustpw".toCharArray());
        backend = new SpnegoBackend(backendKs, "changeit".toCharArray(), "HTTP/localhost@" + REALM, httpKeytab);

        Path envs = Path.of(System.getProperty("securelake.envs.dir")).toAbsolutePath();
        Path policies = Path.of(System.getProperty("securelake.policies.dir")).toAbsolutePath();
        ObjectNode json = new ObjectMapper().createObjectNode();
        json.put("environment", "dev");
        json.put("envs_dir", envs.toString());
        json.put("policies_dir", policies.toString());
        json.put("state_dir", "state/knox");              // relative: to the config file's directory
        json.put("audit_dir", dir.resolve("audit").toString());
        json.put("port", 0);
        json.put("ldap_port", 0);
        json.put("people_passwords", dir.resolve("people.properties").toString());
        json.put("hive_url", "https://localhost:" + backend.port() + "/cliservice");
        json.put("webhdfs_url", "https://localhost:" + backend.port() + "/webhdfs");
        json.put("krb5_conf", kdc.krb5Conf().toString());
        json.put("principal", "svc-knox-dev@" + REALM);
        json.put("keytab", knoxKeytab.toString());
        json.put("truststore", backendTs.toString());
        json.put("truststore_password", "trustpw");
        Path configFile = dir.resolve("gateway.json");
        Files.writeString(configFile, json.toPrettyString());
        config = GatewayConfig.read(configFile);

        output = dir.resolve("gateway.out");
        gateway = startGateway(configFile);
        status = awaitReady(config.readyFile(), gateway);
        ready = status.figures();
        passwords = new Properties();
        try (InputStream in = Files.newInputStream(config.peoplePasswords())) {
            passwords.load(in);
        }
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(trusting(Path.of(ready.truststore()), ready.truststorePassword()))
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    private static void deleteTree(Path p) throws IOException {
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }

    static Process startGateway(Path configFile) throws IOException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Djava.net.preferIPv4Stack=true", "-cp", cp, GatewayMain.class.getName(),
                "--config", configFile.toString()));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }

    static ServiceStatus<GatewayFigures> awaitReady(Path file, Process p) throws Exception {
        Instant deadline = Instant.now().plusSeconds(120);
        while (Instant.now().isBefore(deadline)) {
            java.util.Optional<ServiceStatus<GatewayFigures>> ready = ServiceStatus.readIfPresent(file, ServiceStatus.GATEWAY);
            if (ready.isPresent()) {
                return ready.get();
            }
            if (!p.isAlive()) {
                throw new AssertionError("gateway exited with " + p.exitValue() + ":\n" + tail());
            }
            Thread.sleep(200);
        }
        throw new AssertionError("gateway not ready in 120 s:\n" + tail());
    }

    static String tail() throws IOException {
        List<String> lines = Files.readAllLines(output);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    @AfterAll
    static void stopAll() throws Exception {
        if (gateway != null && gateway.isAlive()) {
            gateway.destroy();
            gateway.waitFor(30, TimeUnit.SECONDS);
        }
        if (backend != null) {
            backend.close();
        }
        if (kdc != null) {
            kdc.close();
        }
    }

    private static SSLContext trusting(Path truststore, String password) throws Exception {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(truststore)) {
            ts.load(in, password.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }

    private static HttpResponse<String> get(String url, String user, String password) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
        if (user != null) {
            b.header("Authorization", basic(user, password));
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String url, String user, String password, String body) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", basic(user, password)).header("Content-Type", "application/x-thrift")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return client.send(r, HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String pw(String person) {
        return passwords.getProperty(person);
    }

    @Test
    void queryServerRestartIsNamedWhileItIsDownAndItsNewCookieNegotiatedAfterwards() throws Exception {
        String hive = ready.url() + "/hive";
        assertThat(post(hive, "alice", pw("alice"), "thrift-bytes").statusCode()).isEqualTo(200);
        backend.seen.clear();
        assertThat(post(hive, "alice", pw("alice"), "thrift-bytes").statusCode()).isEqualTo(200);
        assertThat(backend.seen).extracting(SpnegoBackend.Seen::how).as("Knox kept the query server's cookie")
                .containsExactly(SpnegoBackend.COOKIE_AUTH);

        backend.stopServing();
        // the first finds Knox's kept connection closed (no answer), the second a refused connection
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> down = post(hive, "alice", pw("alice"), "thrift-bytes");
            assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
            assertThat(down.headers().firstValue("Retry-After")).contains("5");
            assertThat(down.body()).isEqualTo("the query server (HIVE backend at localhost:" + backend.port()
                    + ") is not reachable: it may be restarting; retry shortly\n");
        }

        backend.startServing();
        backend.seen.clear();
        HttpResponse<String> back = post(hive, "alice", pw("alice"), "thrift-bytes");
        assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
        assertThat(back.body()).doesNotContain("Invalid sign");
        assertThat(backend.seen).extracting(SpnegoBackend.Seen::how)
                .containsExactly(SpnegoBackend.STALE_COOKIE, SpnegoBackend.SPNEGO_AUTH);
        assertThat(backend.seen.get(1).kerberosPrincipal()).isEqualTo("svc-knox-dev@" + REALM);
        assertThat(backend.seen.get(1).asserted()).isEqualTo("alice");

        backend.seen.clear();
        assertThat(post(hive, "alice", pw("alice"), "thrift-bytes").statusCode()).isEqualTo(200);
        assertThat(backend.seen).extracting(SpnegoBackend.Seen::how).as("the new cookie is kept")
                .containsExactly(SpnegoBackend.COOKIE_AUTH);
    }

    @Test
    void readyFileDescribesTheGateway() throws Exception {
        assertThat(ready.url()).isEqualTo("https://localhost:" + ready.port() + "/gateway/dev");
        assertThat(ready.webhdfsUrl()).isEqualTo(ready.url() + "/webhdfs/v1");
        assertThat(ready.hiveJdbcUrl()).startsWith("jdbc:hive2://localhost:" + ready.port() + "/;ssl=true;sslTrustStore=")
                .contains(";transportMode=http;httpPath=gateway/dev/hive");
        assertThat(ready.ldapUrl()).startsWith("ldap://127.0.0.1:");
        assertThat(status.pid()).isEqualTo(gateway.pid());
        assertThat(status.state()).isEqualTo(ServiceState.RUNNING);
        assertThat(status.environment()).isEqualTo("dev");
        assertThat(ready.backendKerberos()).isTrue();
        assertThat(Path.of(ready.truststore())).startsWith(config.stateDir());
        assertThat(Files.getPosixFilePermissions(config.readyFile()))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(Files.getPosixFilePermissions(config.peoplePasswords()))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(passwords.stringPropertyNames()).contains("alice", "bob", "carol", "dave", "mallory");
        // passwords never reach the logs
        String logs = Files.readString(output) + Files.readString(config.logsDir().resolve("gateway.log"));
        assertThat(logs).doesNotContain(pw("alice")).doesNotContain(pw("mallory"));
    }

    @Test
    void analystReachesWebhdfsAsHerselfThroughKnoxsKerberosIdentity() throws Exception {
        backend.seen.clear();
        HttpResponse<String> r = get(ready.webhdfsUrl() + "/lake/dev/curated?op=LISTSTATUS", "alice", pw("alice"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("FileStatuses");
        assertThat(backend.seen).anySatisfy(s -> {
            assertThat(s.path()).isEqualTo("/webhdfs/v1/lake/dev/curated");
            assertThat(s.kerberosPrincipal()).isEqualTo("svc-knox-dev@" + REALM);
            assertThat(s.query()).containsEntry("doAs", "alice").doesNotContainKey("user.name");
        });
    }

    @Test
    void analystReachesHiveAsHerself() throws Exception {
        backend.seen.clear();
        HttpResponse<String> r = post(ready.url() + "/hive", "alice", pw("alice"), "thrift-bytes");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(backend.seen).anySatisfy(s -> {
            assertThat(s.path()).isEqualTo("/cliservice");
            assertThat(s.kerberosPrincipal()).isEqualTo("svc-knox-dev@" + REALM);
            assertThat(s.asserted()).isEqualTo("alice");
        });
    }

    @Test
    void wrongPasswordIsRefusedBeforeAnyBackend() throws Exception {
        backend.seen.clear();
        assertThat(get(ready.webhdfsUrl() + "/?op=LISTSTATUS", "alice", pw("alice") + "x").statusCode()).isEqualTo(401);
        assertThat(get(ready.webhdfsUrl() + "/?op=LISTSTATUS", "eve", "guess").statusCode()).isEqualTo(401);
        assertThat(get(ready.webhdfsUrl() + "/?op=LISTSTATUS", null, null).statusCode()).isEqualTo(401);
        assertThat(backend.seen).isEmpty();
    }

    @Test
    void personWithoutPolicyIsForbiddenWithAClearMessage() throws Exception {
        backend.seen.clear();
        HttpResponse<String> r = get(ready.webhdfsUrl() + "/?op=LISTSTATUS", "mallory", pw("mallory"));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("AccessControlException").contains("user 'mallory'")
                .contains("service WEBHDFS").contains("topology 'dev'");
        HttpResponse<String> h = post(ready.url() + "/hive", "mallory", pw("mallory"), "x");
        assertThat(h.statusCode()).isEqualTo(403);
        assertThat(h.body()).contains("user 'mallory'").contains("service HIVE").contains("topology 'dev'");
        assertThat(backend.seen).isEmpty();
    }

    @Test
    void zzStopsOnSigtermAndTheTrailHoldsEveryDecision() throws Exception {
        // requests of this test itself, so it does not depend on the order of the others
        assertThat(get(ready.webhdfsUrl() + "/?op=LISTSTATUS", "bob", pw("bob")).statusCode()).isEqualTo(200);
        assertThat(get(ready.webhdfsUrl() + "/?op=LISTSTATUS", "mallory", pw("mallory")).statusCode()).isEqualTo(403);
        assertThat(get(ready.webhdfsUrl() + "/?op=LISTSTATUS", "bob", "wrong").statusCode()).isEqualTo(401);

        gateway.destroy(); // SIGTERM
        assertThat(gateway.waitFor(60, TimeUnit.SECONDS)).as("gateway stops on SIGTERM").isTrue();
        assertThat(config.readyFile()).doesNotExist();
        assertThat(tail()).contains("gateway of dev stopped");

        Path trail = config.auditDir().resolve("knox");
        assertThat(AuditVerifier.verify(trail).intact()).isTrue();
        List<AuditRecord> all = AuditSearch.in(trail).find(AuditQuery.all());
        assertThat(all).allSatisfy(r -> {
            assertThat(r.stage()).isEqualTo("knox");
            assertThat(r.environment()).isEqualTo("dev");
            assertThat(r.service()).isEqualTo("dev_knox");
        });
        assertThat(all).anySatisfy(r -> {
            assertThat(r.user()).isEqualTo("bob");
            assertThat(r.action()).isEqualTo("allow");
            assertThat(r.resource()).isEqualTo("topology=dev;service=WEBHDFS");
            assertThat(r.result()).isEqualTo(AuditRecord.Result.ALLOWED);
            assertThat(r.groups()).containsExactly("analysts");
            assertThat(r.policy()).contains("analysts-auditors-gateway");
        });
        assertThat(all).anySatisfy(r -> {
            assertThat(r.user()).isEqualTo("mallory");
            assertThat(r.action()).isEqualTo("allow");
            assertThat(r.resource()).isEqualTo("topology=dev;service=WEBHDFS");
            assertThat(r.result()).isEqualTo(AuditRecord.Result.DENIED);
            assertThat(r.clientAddress()).isEqualTo("127.0.0.1");
        });
        assertThat(all).anySatisfy(r -> {
            assertThat(r.user()).isEqualTo("bob");
            assertThat(r.action()).isEqualTo(KnoxAuditBridge.ACTION_AUTHENTICATE);
            assertThat(r.result()).isEqualTo(AuditRecord.Result.ALLOWED);
            assertThat(r.groups()).containsExactly("analysts");
            assertThat(r.resource()).isEqualTo("topology=dev;service=WEBHDFS");
        });
        assertThat(all).anySatisfy(r -> {
            assertThat(r.user()).isEqualTo("bob");
            assertThat(r.action()).isEqualTo(KnoxAuditBridge.ACTION_AUTHENTICATE);
            assertThat(r.result()).isEqualTo(AuditRecord.Result.DENIED);
        });
        assertThat(Files.readString(config.logsDir().resolve("gateway-audit.log")))
                .contains("authentication").contains("authorization");
    }
}
