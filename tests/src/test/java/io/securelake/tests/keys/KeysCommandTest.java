package io.securelake.tests.keys;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.securelake.audit.AuditVerifier;
import io.securelake.cli.KeysCommand;
import io.securelake.encryption.DekRepository;
import io.securelake.encryption.EncryptionContext;
import io.securelake.encryption.EncryptionMode;
import io.securelake.encryption.EncryptionSettings;
import io.securelake.encryption.FieldCipher;
import io.securelake.encryption.FieldEncryption;
import io.securelake.encryption.KeyShreddedException;
import io.securelake.encryption.StoredDek;
import io.securelake.envs.EnvironmentNames;
import io.securelake.envs.ServiceRole;
import io.securelake.operations.keys.KmsKekProvider;
import io.securelake.operations.keys.LocalKeyStores;
import io.securelake.tests.ExternalClients;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code securelake keys …} in-process (picocli) against the live dev core's KMS and DEK repository. */
@ExtendWith(LiveDevStack.Extension.class)
class KeysCommandTest {
    static LiveDevStack dev;

    record Result(int exit, String out, String err) {
    }

    @BeforeAll
    static void stack(LiveDevStack stack) {
        dev = stack;
    }

    static Result keys(Path projectDir, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new KeysCommand(projectDir, LiveDevStack.ENVS_DIR));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    static Result keys(String... args) {
        return keys(dev.projectDir, args);
    }

    static String[] asAlice(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--principal", "alice", "--keytab", dev.clients.keytab("alice").toString()));
        return all.toArray(String[]::new);
    }

    /** Every key-administration audit record so far, oldest first. */
    static List<JsonNode> auditRecords() throws IOException {
        Path dir = LocalKeyStores.keyAuditDirectory(dev.home);
        List<JsonNode> records = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                for (String line : Files.readAllLines(f)) {
                    records.add(new ObjectMapper().readTree(line).get("record"));
                }
            }
        }
        return records;
    }

    static JsonNode lastAudit(String user, String action, String key) throws IOException {
        List<JsonNode> matching = auditRecords().stream()
                .filter(r -> r.get("user").asText().equals(user) && r.get("action").asText().equals(action)
                        && r.get("resource").asText().equals("keyname=" + key)).toList();
        assertThat(matching).as("audit records of %s %s %s", user, action, key).isNotEmpty();
        return matching.get(matching.size() - 1);
    }

    @Test
    void listShowsEveryKeyWithVersionsAndNoMaterial() throws IOException {
        Result r = keys("list", "--env", "dev");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("dev.payments", "dev.customer_preferences", "dev.payments@", "AES/CTR/NoPadding", "256");
        JsonNode audit = lastAudit("carol", "list", "*");
        assertThat(audit.get("result").asText()).isEqualTo("ALLOWED");
        assertThat(audit.get("service").asText()).isEqualTo("kms");
        assertThat(audit.get("environment").asText()).isEqualTo("dev");
    }

    @Test
    void createRotateRewrapAndShredOneKeysLifeCycle() throws Exception {
        String kek = "dev.claims";
        Result created = keys("create", kek, "--env", "dev");
        assertThat(created.exit()).as(created.err()).isZero();
        assertThat(created.out()).contains("created dev.claims: current version dev.claims@0");
        assertThat(lastAudit("carol", "create", kek).get("result").asText()).isEqualTo("ALLOWED");

        Result again = keys("create", kek, "--env", "dev");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("dev.claims").containsIgnoringCase("exists");

        // The ingest service writes three fields under the new key: one plain, two of two data subjects.
        EncryptionContext ctx = new EncryptionContext("dev", "claims", "claimant.name");
        var ingest = dev.login(dev.env.names().servicePrincipal(ServiceRole.INGEST));
        var etl = dev.login(dev.env.names().servicePrincipal(ServiceRole.ETL));
        String plain;
        String cust1;
        String cust2;
        String ingestPrincipal = dev.env.names().servicePrincipal(ServiceRole.INGEST);
        try (KmsKekProvider kms = LocalKeyStores.kekProvider(dev.endpoints(), ingest);
             DekRepository registry = LocalKeyStores.dekRepository(dev.env, dev.home,
                     EnvironmentNames.shortName(ingestPrincipal), dev.clients.kafkaProperties(ingestPrincipal));
             FieldCipher c = FieldEncryption.fieldCipher(EncryptionSettings.defaults("dev"), kms, registry)) {
            plain = c.encryptToText("no subject".getBytes(UTF_8), ctx, EncryptionMode.RANDOMIZED, null);
            cust1 = c.encryptToText("Ada".getBytes(UTF_8), ctx, EncryptionMode.RANDOMIZED, "cust-1");
            cust2 = c.encryptToText("Grace".getBytes(UTF_8), ctx, EncryptionMode.RANDOMIZED, "cust-2");
        }

        Result rotated = keys("rotate", kek, "--env", "dev");
        assertThat(rotated.exit()).as(rotated.err()).isZero();
        assertThat(rotated.out()).contains("current version dev.claims@1");
        Result listed = keys("list");
        // A rolling DEK, the wrapping key, two subject keys sealed under it: only the two the KMS wraps are stale.
        assertThat(listed.out()).containsPattern("dev\\.claims\\s+dev\\.claims@1\\s+2\\s+\\S+\\s+256\\s+4\\s+0\\s+2");

        Result rewrapped = keys("rewrap", kek);
        assertThat(rewrapped.exit()).as(rewrapped.err()).isZero();
        assertThat(rewrapped.out()).contains("under dev.claims@1: 2 moved, 0 already current, 0 shredded (skipped), 2 subject keys sealed");
        // What the CLI changed is what every process of the environment reads: the registry on Kafka.
        String etlPrincipal = dev.env.names().servicePrincipal(ServiceRole.ETL);
        DekRepository deks = LocalKeyStores.dekRepository(dev.env, dev.home, EnvironmentNames.shortName(etlPrincipal),
                dev.clients.kafkaProperties(etlPrincipal));
        assertThat(deks.list(kek)).filteredOn(StoredDek::wrappedByKms).extracting(d -> d.wrapped().kekVersionName())
                .containsOnly("dev.claims@1");

        Result shredded = keys("shred", "--subject", "cust-1", kek);
        assertThat(shredded.exit()).as(shredded.err()).isZero();
        assertThat(shredded.out()).contains("shredded subject/").doesNotContain("cust-1");
        JsonNode shredAudit = lastAudit("carol", "shred", kek);
        assertThat(shredAudit.get("result").asText()).isEqualTo("ALLOWED");
        assertThat(shredAudit.toString()).as("the audit names the subject only by pseudonym").doesNotContain("cust-1");
        assertThat(keys("shred", "--subject", "cust-1", kek).out()).contains("nothing to shred");

        // A fresh reader: re-wrapped DEKs still decrypt, the shredded subject never again.
        try (KmsKekProvider kms = LocalKeyStores.kekProvider(dev.endpoints(), etl);
             FieldCipher c = FieldEncryption.fieldCipher(EncryptionSettings.defaults("dev"), kms, deks)) {
            assertThat(new String(c.decryptText(plain, ctx), UTF_8)).isEqualTo("no subject");
            assertThat(new String(c.decryptText(cust2, ctx), UTF_8)).isEqualTo("Grace");
            assertThat(catchThrowable(() -> c.decryptText(cust1, ctx))).isInstanceOf(KeyShreddedException.class);
        }
        assertThat(keys("rewrap", kek).out()).contains("0 moved, 2 already current, 1 shredded");
        assertThat(deks.list(kek)).filteredOn(StoredDek::destroyed).hasSize(1);
        deks.close();
        assertThat(AuditVerifier.verify(LocalKeyStores.keyAuditDirectory(dev.home)).intact()).isTrue();
    }

    @Test
    void keysOfAnotherEnvironmentAreRefusedBeforeTheKmsIsAsked() throws IOException {
        Result r = keys("create", "prod.claims", "--env", "dev");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("'prod.claims' is not a key of environment dev", "dev.<dataset>");
        JsonNode audit = lastAudit("carol", "create", "prod.claims"); // short names, as every stage records them
        assertThat(audit.get("result").asText()).isEqualTo("DENIED");
        assertThat(keys("rotate", "dev.Payments").err()).contains("not a valid key name");
    }

    @Test
    void anAnalystCannotCreateRotateRewrapOrShredAndEachRefusalIsAudited() throws IOException {
        Result create = keys(asAlice("create", "dev.alices_key", "--env", "dev"));
        assertThat(create.exit()).isEqualTo(1);
        assertThat(create.err()).contains("refused", "the KMS refused alice", "User:alice not allowed to do 'CREATE_KEY' on 'dev.alices_key'");
        assertThat(lastAudit("alice", "create", "dev.alices_key").get("result").asText()).isEqualTo("DENIED");
        assertThat(lastAudit("alice", "create", "dev.alices_key").get("groups").toString()).contains("analysts");

        Result rotate = keys(asAlice("rotate", "dev.payments"));
        assertThat(rotate.exit()).isEqualTo(1);
        assertThat(rotate.err()).contains("the KMS refused alice", "dev.payments", "ROLL");
        assertThat(lastAudit("alice", "rotate", "dev.payments").get("reason").asText()).contains("ROLL");

        assertThat(keys(asAlice("rewrap", "dev.payments")).exit()).isEqualTo(1);
        assertThat(lastAudit("alice", "rewrap", "dev.payments").get("result").asText()).isEqualTo("DENIED");
        Result shred = keys(asAlice("shred", "--subject", "cust-9", "dev.payments"));
        assertThat(shred.exit()).isEqualTo(1);
        assertThat(shred.err()).contains("the KMS refused alice");
        assertThat(lastAudit("alice", "shred", "dev.payments").get("result").asText()).isEqualTo("DENIED");
        assertThat(keys(asAlice("list")).exit()).isEqualTo(1);
        assertThat(keys("list").out()).doesNotContain("dev.alices_key");
    }

    @Test
    void theOperatorCanActFromAKinitTicketCache(@TempDir Path tmp) throws Exception {
        Path cache = tmp.resolve("krb5cc_carol");
        String principal = dev.clients.qualify("carol");
        ExternalClients.require("kinit");
        ProcessBuilder pb = new ProcessBuilder("kinit", "-kt", dev.clients.keytab("carol").toString(),
                "-c", "FILE:" + cache, principal).redirectErrorStream(true);
        pb.environment().putAll(Map.of("KRB5_CONFIG", dev.endpoints().krb5Conf()));
        Process kinit = pb.start();
        String kinitOut = new String(kinit.getInputStream().readAllBytes(), UTF_8);
        assertThat(kinit.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(kinit.exitValue()).as(kinitOut).isZero();

        Result r = keys("list", "--ticket-cache", cache.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("dev.payments");
        Result missing = keys("list", "--ticket-cache", tmp.resolve("no-such-cache").toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("no Kerberos ticket cache", "kinit");
    }

    @Test
    void aStackThatIsNotRunningIsSaidSo(@TempDir Path elsewhere) {
        Result r = keys(elsewhere, "list", "--env", "dev");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("the dev stack is not running", "securelake up --env dev");
        assertThat(keys("list", "--principal", "carol").exit()).as("--principal needs --keytab").isEqualTo(2);
    }
}
