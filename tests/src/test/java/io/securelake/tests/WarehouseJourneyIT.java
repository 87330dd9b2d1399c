package io.securelake.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.securelake.policies.tools.AdversarialRequests;
import io.securelake.tests.jdbc.JdbcSession;
import io.securelake.testsupport.ShippedEnvironments;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The analysis half of the journey with the packaged CLI, on the real local stack (core, lake-writer,
 * query server, Knox gateway as child JVMs): ingest → raw zone → {@code etl run} → Hive tables →
 * {@code query} through Knox as people with different rights → the audit trail of every decision.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WarehouseJourneyIT {
    static final Path PROJECT = ShippedEnvironments.envsDir().getParent();
        static final int GENERATED = 300;

    @TempDir
    static Path securelakeHome;

    static PackagedCli.Result cli(String... args) throws IOException, InterruptedException {
        return cli(Map.of(), args);
    }

    static PackagedCli.Result cli(Map<String, String> extraEnv, String... args) throws IOException, InterruptedException {
        return new PackagedCli(securelakeHome).run(extraEnv, args);
    }

    static JsonNode status() throws Exception {
        return new PackagedCli(securelakeHome).status("dev");
    }

    static String password(String person) throws IOException {
        return new PackagedCli(securelakeHome).password("dev", person);
    }

    static PackagedCli.Result query(String user, String password, String sql) throws Exception {
        return cli(Map.of("SECURELAKE_PASSWORD", password), "query", "--env", "dev", "--user", user, sql);
    }

    @BeforeAll
    static void upAndIngest() throws Exception {
        assertThat(PROJECT.resolve("warehouse-etl/target/securelake-warehouse-etl.jar")).as("packaged query server").exists();
        assertThat(PROJECT.resolve("knox/target/securelake-knox.jar")).as("packaged gateway").exists();
        PackagedCli.Result up = cli("up", "--env", "dev");
        assertThat(up.exit()).as(up.out()).isZero();

        PackagedCli.Result gen = cli("ingest", "--env", "dev", "--dataset", "payments", "--generate", Integer.toString(GENERATED), "--no-progress");
        assertThat(gen.exit()).as(gen.out()).isZero();
        // Three events the schema accepts but the warehouse must treat specially: two break quality rules,
        // one is older than the analysts' 30-day retention filter.
        Path file = securelakeHome.resolve("special-payments.jsonl");
        Files.writeString(file, String.join("\n",
                payment("dq-amount-zero", Instant.now(), "0.00", "EUR"),
                payment("dq-currency", Instant.now(), "12.50", "eur"),
                payment("old-payment", Instant.now().minus(60, ChronoUnit.DAYS), "40.00", "EUR")) + "\n");
        PackagedCli.Result special = cli("ingest", "--env", "dev", "--dataset", "payments", "--file", file.toString(), "--no-progress");
        assertThat(special.exit()).as(special.out()).isZero();
        assertThat(special.out()).contains("sent 3, dead-lettered 0");
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        long committed = 0;
        while (committed < GENERATED + 3 && System.nanoTime() < deadline) {
            committed = status().path("lake_writer").path("events_committed").asLong();
        }
        assertThat(committed).as("events in the raw zone").isGreaterThanOrEqualTo(GENERATED + 3);
    }

    static String payment(String id, Instant time, String amount, String currency) {
        return ("{\"event_id\":\"%s\",\"event_time\":\"%s\",\"channel\":\"POS\",\"card_number\":\"4111111111111111\","
                + "\"account_id\":\"ACC-DQ-0001\",\"customer_name\":\"Dana Quinn\",\"email\":\"dana.quinn@example.com\",\"phone\":null,"
                + "\"amount\":\"%s\",\"currency\":\"%s\",\"merchant\":{\"id\":\"m-1\",\"name\":\"Corner Shop\",\"category_code\":\"5411\"},"
                + "\"terminal\":{\"id\":\"t-1\",\"type\":\"POS\"},\"location\":{\"city\":\"Paris\",\"country\":\"FR\",\"latitude\":null,"
                + "\"longitude\":null},\"status\":\"APPROVED\",\"response_code\":\"00\",\"auth_code\":null,\"description\":null}")
                .formatted(id, time.truncatedTo(ChronoUnit.SECONDS), amount, currency);
    }

    @AfterAll
    static void down() throws Exception {
        cli("down", "--env", "dev");
    }

    @Test
    @Order(1)
    void statusNamesTheGatewayAndTheJdbcUrlAnalystsUse() throws Exception {
        JsonNode s = status();
        assertThat(s.path("healthy").asBoolean()).as(s.toPrettyString()).isTrue();
        assertThat(s.path("knox").path("url").asText()).startsWith("https://localhost:").endsWith("/gateway/dev");
        assertThat(s.path("hive").path("jdbc_url").asText()).startsWith("jdbc:hive2://localhost:")
                .contains("transportMode=http").contains("httpPath=gateway/dev/hive").contains("ssl=true");
        assertThat(s.path("hive").path("healthy").asBoolean()).isTrue();
    }

    @Test
    @Order(2)
    void etlModelsNewRawFilesIntoTablesAndQuarantinesBadRows() throws Exception {
        PackagedCli.Result etl = cli("etl", "run", "--env", "dev");
        assertThat(etl.exit()).as(etl.out()).isZero();
        assertThat(etl.out()).containsPattern("payments_dev\\.fact_payment\\s+" + (GENERATED + 3) + "\\s+" + (GENERATED + 1) + "\\s+2")
                .contains("payments_dev.dim_customer");

        PackagedCli.Result again = cli("etl", "run", "--env", "dev", "--dataset", "payments");
        assertThat(again.exit()).as(again.out()).isZero();
        assertThat(again.out()).contains("payments: no new raw files since run");
    }

    @Test
    @Order(3)
    void anAnalystSeesPermittedColumnsMaskedColumnsMaskedAndNoFilteredRows() throws Exception {
        String pw = password("alice");
        PackagedCli.Result count = query("alice", pw, "SELECT count(*) AS n FROM payments_dev.fact_payment");
        assertThat(count.exit()).as(count.out()).isZero();
        // the 60-day-old payment is outside the analysts' retention row filter; the quarantined rows are not in the table
        assertThat(count.out()).containsPattern("(?m)^" + GENERATED + "\\s*$");

        PackagedCli.Result rows = query("alice", pw, "SELECT event_id, currency, card_number, email, customer_name FROM payments_dev.fact_payment "
                + "WHERE event_id IN ('dq-amount-zero', 'dq-currency', 'old-payment') OR amount > 0 LIMIT 5");
        assertThat(rows.exit()).as(rows.out()).isZero();
        assertThat(rows.out()).doesNotContain("old-payment").doesNotContain("dana.quinn").doesNotContain("4111111111111111");
        List<String> dataLines = rows.out().lines().filter(l -> l.contains(" | ")).skip(1).toList();
        assertThat(dataLines).hasSize(5).allSatisfy(l -> {
            String[] c = l.split("\\s*\\|\\s*");
            assertThat(c[3].trim()).as("email, masked to NULL").isEqualTo("NULL");
            // The raw zone carries binary ciphertext; the curated tables its text form (unpadded base64url), which
            // the analyst's mask turns into x but for - and _ and the last 4 (beeline may cut the column with …).
            // Binary read as text would leave other characters unmasked.
            assertThat(c[2].trim()).as("card_number, text-form ciphertext masked but its last 4")
                    .matches("[x_-]{40,}([A-Za-z0-9_-]{4}|…)");
        });
    }

    @Test
    @Order(4)
    void someoneWithoutAGatewayPolicyIsRefusedAtKnox() throws Exception {
        PackagedCli.Result r = query("mallory", password("mallory"), "SELECT 1");
        assertThat(r.exit()).isEqualTo(1);
        // The query client's own wording of the gateway's answer: a bare "403" could match a port number or a row.
        assertThat(r.out()).contains("query refused or failed for user mallory: the gateway refused access (HTTP 403): "
                + "no Ranger policy of the environment's gateway lets this user use Hive");
    }

    @Test
    @Order(5)
    void anAuditorIsRefusedPaymentDataBySparkWithAClearMessage() throws Exception {
        PackagedCli.Result r = query("dave", password("dave"), "SELECT event_id FROM payments_dev.fact_payment LIMIT 1");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("Permission denied").contains("dave").contains("select").contains("payments_dev");
    }

    @Test
    @Order(5)
    void jdbcMetadataListsOnlyWhatThePersonMaySee() throws Exception {
        PackagedCli.Result alice = query("alice", password("alice"), "!tables payments_dev");
        assertThat(alice.exit()).as(alice.out()).isZero();
        // This listing once came back empty intermittently (a Thrift handler thread listing Spark's in-memory
        // execution metastore); listings now run on a thread of their own, and she must see her tables.
        List<String> listed = alice.out().lines().filter(l -> l.contains(" | ")).skip(1).toList();
        assertThat(listed).allSatisfy(l -> assertThat(l).contains("payments_dev"));
        assertThat(String.join("\n", listed)).contains("fact_payment").contains("dim_customer");
        PackagedCli.Result dave = query("dave", password("dave"), "!tables");
        assertThat(dave.exit()).as(dave.out()).isZero();
        assertThat(dave.out()).doesNotContain("payments_dev").contains("0 row(s)");
        PackagedCli.Result columns = query("dave", password("dave"), "!columns payments_dev fact_payment");
        assertThat(columns.out()).doesNotContain("card_number").contains("0 row(s)");
    }

    @Test
    @Order(6)
    void aWrongPasswordIsRefusedWith401() throws Exception {
        PackagedCli.Result r = query("alice", "not-her-password", "SELECT 1");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("query refused or failed for user alice: authentication failed at the gateway (HTTP 401): "
                + "wrong user name or password");
    }

    @Test
    @Order(7)
    void webHdfsThroughTheGatewayActsAsThePerson() throws Exception {
        java.net.http.HttpClient http = gatewayHttp();
        String base = status().path("knox").path("webhdfs_url").asText();
        // dave (auditor) may read the audit trail, not the raw zone: HDFS decides as dave, not as the gateway
        assertThat(webhdfs(http, base + "/audit/dev?op=LISTSTATUS", "dave", password("dave")).statusCode()).isEqualTo(200);
        java.net.http.HttpResponse<String> raw = webhdfs(http, base + "/lake/dev/raw?op=LISTSTATUS", "dave", password("dave"));
        assertThat(raw.statusCode()).isEqualTo(403);
        assertThat(raw.body()).contains("user=dave").contains("/lake/dev/raw");
        assertThat(webhdfs(http, base + "/user/alice?op=LISTSTATUS", "alice", "wrong").statusCode()).isEqualTo(401);
        assertThat(webhdfs(http, base + "/user/alice?op=LISTSTATUS", "mallory", password("mallory")).statusCode()).isEqualTo(403);
    }

    /** An HTTPS client that trusts the gateway's certificate (the truststore status names). */
    static java.net.http.HttpClient gatewayHttp() throws Exception {
        JsonNode knox = status().path("knox");
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(Path.of(knox.path("truststore").asText()))) {
            trust.load(in, knox.path("truststore_password").asText().toCharArray());
        }
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        return java.net.http.HttpClient.newBuilder().sslContext(tls).build();
    }

    /**
     * The adversarial table beside the dev policies, line by line through the real gateway: each person's
     * statements in a Hive JDBC 4.1.0 session of their own, WebHDFS requests over HTTPS. Every refusal must
     * be the one the table names, reach the client as one message without a stack trace, and be audited;
     * after every line the query server must still answer.
     */
    @Test
    @Order(8)
    void everyAttackOfTheAdversarialTableIsRefusedThroughTheGateway() throws Exception {
        List<AdversarialRequests.Request> attacks = AdversarialRequests.read(
                AdversarialRequests.file(PROJECT.resolve("security-policies/policies"), "dev"));
        JsonNode s = status();
        String jdbcUrl = s.path("hive").path("jdbc_url").asText();
        String webhdfsBase = s.path("knox").path("webhdfs_url").asText();
        java.net.http.HttpClient http = gatewayHttp();
        Path driver = PROJECT.resolve("tests/target/hive-jdbc/hive-jdbc-standalone.jar");
        Path log = securelakeHome.resolve("jdbc-clients.log");
        Map<String, Long> refusedBefore = new java.util.TreeMap<>();
        Map<String, Integer> refusedLines = new java.util.TreeMap<>();
        Map<String, JdbcSession> sessions = new java.util.LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        try (JdbcSession probe = JdbcSession.open(driver, jdbcUrl, "alice", password("alice"), log)) {
            for (AdversarialRequests.Request a : attacks) {
                if (a.door().equals("webhdfs")) {
                    int status = webhdfs(http, webhdfsBase + a.request().substring("GET ".length()), a.person(),
                            password(a.person())).statusCode();
                    if (status != Integer.parseInt(a.expected())) {
                        failures.add(a + ": HTTP " + status + " instead of " + a.expected());
                    }
                    continue;
                }
                if (a.expected().equals("refused")) {
                    refusedBefore.computeIfAbsent(a.person(), WarehouseJourneyIT::hiveRefusals);
                    refusedLines.merge(a.person(), 1, Integer::sum);
                }
                JdbcSession session = sessions.get(a.person());
                if (session == null) {
                    session = JdbcSession.open(driver, jdbcUrl, a.person(), password(a.person()), log);
                    sessions.put(a.person(), session);
                }
                JdbcSession.Answer answer = a.request().startsWith("SESSION ")
                        ? session.newSession(a.request().substring("SESSION ".length()))
                        : a.request().startsWith("DATABASE ")
                        ? session.newSessionIn(a.request().substring("DATABASE ".length())) : session.sql(a.request());
                judge(a, answer).ifPresent(why -> failures.add(a + ": " + why));
                JdbcSession.Answer alive = probe.sql("SELECT 1");
                if (!alive.ok() || !alive.text().equals("1")) {
                    failures.add(a + ": the query server no longer answers SELECT 1 afterwards: " + alive.text());
                }
            }
        } finally {
            for (JdbcSession session : sessions.values()) {
                session.close();
            }
        }
        assertThat(failures).as("attacks whose outcome differs from the table").isEmpty();
        // Repeats of one question within a second are written as one summary record when the window ends.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (Map.Entry<String, Integer> e : refusedLines.entrySet()) {
            long audited = hiveRefusals(e.getKey()) - refusedBefore.get(e.getKey());
            while (audited < e.getValue() && System.nanoTime() < deadline) {
                audited = hiveRefusals(e.getKey()) - refusedBefore.get(e.getKey());
            }
            assertThat(audited).as("audited refusals of %s's %d refused statements", e.getKey(), e.getValue())
                    .isGreaterThanOrEqualTo(e.getValue());
        }
    }

    /** Why the answer is not what the table expects; empty when it is. */
    static java.util.Optional<String> judge(AdversarialRequests.Request a, JdbcSession.Answer answer) {
        String text = answer.text();
        switch (a.expected()) {
            case "allowed":
                return answer.ok() ? java.util.Optional.empty() : java.util.Optional.of("failed: " + text);
            case "masked":
                if (!answer.ok()) {
                    return java.util.Optional.of("failed: " + text);
                }
                if (text.isEmpty()) {
                    return java.util.Optional.of("returned no rows, so nothing shows the masks");
                }
                return text.lines().filter(row -> !row.matches(a.fragment())).findFirst()
                        .map(row -> "a row is not masked as " + a.fragment() + ": " + row);
            default:
                if (answer.ok()) {
                    return java.util.Optional.of("ran (answered " + text.lines().findFirst().orElse("no rows") + ")");
                }
                if (text.contains("Exception") || text.matches("(?s).*\\n\\s*at [\\w.$]+\\(.*")) {
                    return java.util.Optional.of("the client was sent a stack trace: " + text);
                }
                if (a.expected().equals("refused") && !text.contains("Permission denied")) {
                    return java.util.Optional.of("not refused by authorization: " + text);
                }
                return a.answerMatches(text) ? java.util.Optional.empty()
                        : java.util.Optional.of("the answer lacks '" + a.fragment() + "': " + text);
        }
    }

    /** How many hive-stage denials the audit trail holds for the person (a summary record counts its decisions). */
    static long hiveRefusals(String person) {
        try {
            PackagedCli.Result r = cli("audit", "search", "--env", "dev", "--user", person, "--stage", "hive", "--result", "denied", "--json");
            assertThat(r.exit()).as(r.out()).isZero();
            long decisions = 0;
            for (JsonNode record : new ObjectMapper().readTree(r.out())) {
                decisions += record.path("summary").path("count").asLong(1);
            }
            return decisions;
        } catch (Exception e) {
            throw new IllegalStateException("cannot search the audit trail for " + person, e);
        }
    }

    static java.net.http.HttpResponse<String> webhdfs(java.net.http.HttpClient http, String url, String user, String password)
            throws Exception {
        String basic = java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).header("Authorization", "Basic " + basic)
                .GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Order(9)
    void theAuditTrailHoldsTheGatewaysAndTheEnginesDecisions() throws Exception {
        PackagedCli.Result alice = cli("audit", "search", "--env", "dev", "--user", "alice", "--json");
        JsonNode records = new ObjectMapper().readTree(alice.out());
        assertThat(records).anySatisfy(r -> assertThat(r.path("resource").asText()).contains("payments_dev"));
        assertThat(records).anySatisfy(r -> assertThat(r.path("service").asText()).contains("knox"));
        PackagedCli.Result dave = cli("audit", "search", "--env", "dev", "--user", "dave", "--result", "denied", "--json");
        assertThat(new ObjectMapper().readTree(dave.out())).anySatisfy(r ->
                assertThat(r.path("resource").asText()).contains("payments_dev"));
        PackagedCli.Result verify = cli("audit", "verify", "--env", "dev");
        assertThat(verify.exit()).as(verify.out()).isZero();
        assertThat(verify.out()).doesNotContain("TAMPERED");
    }

    /**
     * Defence in depth (#14): the two processes people's requests reach run as OS users of their own and cannot
     * read other services' secrets; the query server's keytabs hold its own HTTP principal only. When the tests
     * do not run as root, status must say the isolation is logical only, and why.
     */
    @Test
    @Order(9)
    void theQueryServerAndTheGatewayRunAsTheirOwnOsUsers() throws Exception {
        JsonNode s = status();
        String realm = s.path("realm").asText();
        List<String> queryPrincipals = new ArrayList<>();
        int ownKeys = 0;
        try (var files = Files.list(securelakeHome.resolve("dev/query/credentials"))) {
            for (Path keytab : files.filter(f -> f.getFileName().toString().endsWith(".keytab")).toList()) {
                queryPrincipals.addAll(keytabPrincipals(keytab));
                javax.security.auth.kerberos.KeyTab kt = javax.security.auth.kerberos.KeyTab.getInstance(keytab.toFile());
                assertThat(kt.getKeys(new javax.security.auth.kerberos.KerberosPrincipal("HTTP/localhost@" + realm)))
                        .as("keys of HTTP/localhost (the KMS's and WebHDFS's) in %s", keytab).isEmpty();
                ownKeys += kt.getKeys(new javax.security.auth.kerberos.KerberosPrincipal("HTTP/127.0.0.1@" + realm)).length;
            }
        }
        assertThat(ownKeys).as("keys of the query server's own HTTP/127.0.0.1").isPositive();
        // its TLS certificate is its own (127.0.0.1 only), not the localhost one Kafka, WebHDFS and the KMS share
        java.net.URI direct = java.net.URI.create(s.path("hive").path("direct_jdbc_url").asText().substring("jdbc:".length()));
        assertThat(servedCertificateNames(direct.getHost(), direct.getPort())).containsExactly("127.0.0.1");
        assertThat(queryPrincipals).doesNotContain("HTTP/localhost@" + realm);
        // ...and the gateway reaches the query server with SPNEGO for that principal
        PackagedCli.Result viaKnox = query("alice", password("alice"), "SELECT 1");
        assertThat(viaKnox.exit()).as(viaKnox.out()).isZero();

        List<JsonNode> services = List.of(s.path("hive"), s.path("knox"));
        if (((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue() != 0) {
            assertThat(services).allSatisfy(service -> {
                assertThat(service.path("isolation").asText()).as(service.toString()).isEqualTo("logical-only");
                assertThat(service.path("isolation_reason").asText()).contains("not root");
            });
            return;
        }
        if (services.stream().anyMatch(service -> service.path("isolation_reason").asText().contains("cannot reach"))) {
            // As root, but the checkout is below a directory other users cannot traverse (e.g. /root, 0700): 'up'
            // falls back and must say so, naming the paths, rather than run the services where they cannot start.
            assertThat(services).allSatisfy(service -> {
                assertThat(service.path("isolation").asText()).isEqualTo("logical-only");
                assertThat(service.path("isolation_reason").asText()).contains("cannot reach").contains("not readable and traversable by others");
            });
            return;
        }
        Path home = securelakeHome.resolve("dev");
        Path etlKeytab = Path.of(s.path("keytabs").path("svc-etl-dev@" + realm).asText());
        Path httpKeytab = Path.of(s.path("keytabs").path("HTTP/localhost@" + realm).asText());
        List<Path> secrets = List.of(etlKeytab, httpKeytab, home.resolve("people-passwords.properties"),
                home.resolve("kms/kms.keystore"), home.resolve("tls/store-passwords"));
        assertThat(secrets).allSatisfy(f -> assertThat(f).as("exists, for root").isRegularFile());
        // dev keeps its data keys in its key registry on Kafka (Ranger decides who reads it), not in a directory here.
        assertThat(home.resolve("deks")).as("no local data-key directory").doesNotExist();
        for (JsonNode service : services) {
            assertThat(service.path("isolation").asText()).as(service.toString()).isEqualTo("os-users");
            String user = service.path("os_user").asText();
            int uid = service.path("uid").asInt();
            assertThat(user).startsWith("securelake-").endsWith("-dev");
            assertThat(uid).isPositive();
            String uids = Files.readAllLines(Path.of("/proc", service.path("pid").asText(), "status")).stream()
                    .filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow();
            assertThat(uids.split("\\s+")).as("real, effective, saved and fs uid of %s", user)
                    .containsExactly("Uid:", Integer.toString(uid), Integer.toString(uid), Integer.toString(uid), Integer.toString(uid));
            for (Path secret : secrets) {
                PackagedCli.Result read = asUser(service, "/bin/cat", secret.toString());
                assertThat(read.exit()).as("%s reads %s: %s", user, secret, read.out()).isNotZero();
                assertThat(read.out()).contains("Permission denied");
            }
        }
    }

    /** The subject alternative names of the certificate a TLS server presents (only read, not trusted). */
    static List<String> servedCertificateNames(String host, int port) throws Exception {
        javax.net.ssl.TrustManager[] readOnly = {new javax.net.ssl.X509TrustManager() {
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
                throw new UnsupportedOperationException("server side only");
            }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
                // the certificate is inspected below, nothing is sent over this connection
            }

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        }};
        javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
        tls.init(null, readOnly, null);
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) tls.getSocketFactory().createSocket(host, port)) {
            socket.startHandshake();
            var leaf = (java.security.cert.X509Certificate) socket.getSession().getPeerCertificates()[0];
            return leaf.getSubjectAlternativeNames().stream().map(n -> n.get(1).toString()).toList();
        }
    }

    /** A command as the service's OS user, the way the launcher starts the service. */
    static PackagedCli.Result asUser(JsonNode service, String... command) throws Exception {
        List<String> c = new ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=" + service.path("uid").asInt(),
                "--regid=" + service.path("gid").asInt(), "--init-groups", "--"));
        c.addAll(Arrays.asList(command));
        Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(1, TimeUnit.MINUTES)).isTrue();
        return new PackagedCli.Result(p.exitValue(), out);
    }

    /** The principals of a keytab, with klist when it is installed (CI), else by trying the ones expected. */
    static List<String> keytabPrincipals(Path keytab) throws Exception {
        if (Files.isExecutable(Path.of("/usr/bin/klist"))) {
            Process p = new ProcessBuilder("/usr/bin/klist", "-kt", keytab.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(1, TimeUnit.MINUTES)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            // "   2 12/06/2026 19:50:01 HTTP/127.0.0.1@DEV.SECURELAKE.LOCAL"
            return out.lines().map(String::trim).filter(l -> l.matches("\\d+ .*@.*"))
                    .map(l -> l.substring(l.lastIndexOf(' ') + 1)).distinct().toList();
        }
        assertThat(System.getenv("CI")).as("klist is required on CI").isNotEqualTo("true");
        return List.of();
    }
}
