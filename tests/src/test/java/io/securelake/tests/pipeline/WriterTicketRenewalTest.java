package io.securelake.tests.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.securelake.audit.AuditQuery;
import io.securelake.audit.AuditRecord;
import io.securelake.audit.AuditSearch;
import io.securelake.envs.Dataset;
import io.securelake.envs.ServiceRole;
import io.securelake.ingest.generate.EventGenerator;
import io.securelake.ingest.producer.SecureProducer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Runs for days", compressed: the whole local core issues 20-second tickets while the lake-writer lands a
 * steady stream for over a minute, so its logins must renew again and again (HDFS through Hadoop's keytab
 * relogin, Kafka through its login thread). HDFS connections are made to close between commits, so each new
 * one authenticates with whatever ticket the writer holds then. The raw zone must end up with exactly the
 * produced events, and the KDC's own audit shows the writer logging in anew.
 */
class WriterTicketRenewalTest {

    private static final String TICKET_LIFETIME = "20s";
    /** 250 events a second for 70 seconds: three and a half ticket lifetimes. */
    private static final int EVENTS_PER_SECOND = 250;
    private static final int SECONDS = 70;

    @TempDir
    Path base;

    /** The shipped environment definitions and schemas, with the KDC's ticket lifetime cut to 20 s. */
    private static Path shortTicketEnvironments(Path target) throws IOException {
        try (Stream<Path> files = Files.walk(PipelineFixture.ENVS_DIR.resolve("schemas"))) {
            for (Path f : files.toList()) {
                Path to = target.resolve(PipelineFixture.ENVS_DIR.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to);
                }
            }
        }
        try (Stream<Path> files = Files.list(PipelineFixture.ENVS_DIR)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                String yaml = Files.readString(f, StandardCharsets.UTF_8);
                if (f.getFileName().toString().equals("dev.yaml")) {
                    String shortened = yaml.replaceFirst("(?m)^(\\s*ticket_lifetime:)\\s*\\S+", "$1 " + TICKET_LIFETIME);
                    assertThat(shortened).as("dev.yaml sets a ticket lifetime").isNotEqualTo(yaml);
                    yaml = shortened;
                }
                Files.writeString(target.resolve(f.getFileName().toString()), yaml, StandardCharsets.UTF_8);
            }
        }
        return target;
    }

    @Test
    void theWriterKeepsLandingEventsAcrossManyTicketLifetimes() throws Exception {
        Path envs = shortTicketEnvironments(Files.createDirectories(base.resolve("envs")));
        try (PipelineFixture fx = new PipelineFixture(base, envs)) {
            assertThat(fx.env.kerberos().ticketLifetime()).isEqualTo(Duration.ofSeconds(20));
            Dataset payments = fx.env.dataset("payments").orElseThrow();
            String writerUser = fx.principal(ServiceRole.LAKE_WRITER);
            Path state = base.resolve("writer-state");
            Path log = base.resolve("writer.log");
            Instant started = Instant.now();
            WriterProcess writer = new WriterProcess(fx, state, log, List.of("roll.interval.ms=2000",
                    "status.interval.ms=500",
                    // Idle HDFS connections close after 1 s: every commit opens new ones, authenticated afresh.
                    "hadoop.ipc.client.connection.maxidletime=1000",
                    "hadoop.hadoop.kerberos.min.seconds.before.relogin=2"));
            Set<String> produced = ConcurrentHashMap.newKeySet();
            ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor();
            try (SecureProducer producer = SecureProducer.open(fx.ingestConfig("payments", fx.principal(ServiceRole.INGEST),
                    true), fx.env, null)) {
                EventGenerator events = EventGenerator.of("payments", 21, 100, Instant.parse("2026-11-27T06:00:00Z"),
                        Duration.ofHours(2));
                CompletableFuture<Void> done = new CompletableFuture<>();
                pace.scheduleAtFixedRate(() -> {
                    try {
                        if (produced.size() >= EVENTS_PER_SECOND * SECONDS) {
                            done.complete(null);
                            return;
                        }
                        PipelineFixture.sendAll(producer, events, EVENTS_PER_SECOND, produced);
                    } catch (Throwable t) {
                        done.completeExceptionally(t);
                    }
                }, 0, 1, TimeUnit.SECONDS);
                done.get(SECONDS + 60, TimeUnit.SECONDS);
            } finally {
                pace.shutdownNow();
            }
            try {
                writer.progress.await("every event landed", Duration.ofSeconds(90),
                        p -> fx.landedCount(payments) >= produced.size());
            } finally {
                writer.process.destroy();
                writer.process.waitFor();
            }
            assertThat(Duration.between(started, Instant.now())).isGreaterThan(Duration.ofSeconds(60));

            Map<String, Integer> seen = fx.assertLandedExactlyOnce(payments, produced);

            String writerLog = Files.readString(log, StandardCharsets.UTF_8);
            // Kafka's login thread gives up ("exiting refresh thread") when tickets end before its relogin floor.
            assertThat(writerLog).doesNotContain("HDFS UNAVAILABLE").doesNotContainIgnoringCase("relogin failed")
                    .doesNotContainIgnoringCase("exiting refresh thread").doesNotContainIgnoringCase("refresh thread exiting");
            var status = WriterStatusFile.in(state).read().orElseThrow();
            assertThat(status.figures().lastError()).as(status.toString()).isNull();
            // The KDC saw the writer log in again and again (the first login, then renewals), all granted.
            List<AuditRecord> logins = AuditSearch.in(fx.stack.home().auditDir().resolve("kdc")).find(AuditQuery.all()
                    .withStage("kdc").withUser(writerUser).withSince(started));
            List<AuditRecord> tgts = logins.stream().filter(r -> r.action().equals("authenticate")).toList();
            System.out.println("ticket renewal: " + seen.size() + " events over " + Duration.between(started, Instant.now())
                    .toSeconds() + " s, " + tgts.size() + " logins of " + writerUser);
            assertThat(tgts).allSatisfy(r -> assertThat(r.result()).isEqualTo(AuditRecord.Result.ALLOWED));
            assertThat(tgts).hasSizeGreaterThanOrEqualTo(4);
            // The producer, a long-lived Kafka client, renews too: Kafka's login thread must not have given up
            // (it does when tickets end before its relogin floor, leaving the client unable to reconnect).
            List<AuditRecord> producerLogins = AuditSearch.in(fx.stack.home().auditDir().resolve("kdc")).find(AuditQuery.all()
                    .withStage("kdc").withUser(fx.principal(ServiceRole.INGEST)).withSince(started)).stream()
                    .filter(r -> r.action().equals("authenticate")).toList();
            System.out.println("ticket renewal: " + producerLogins.size() + " logins of the producer");
            assertThat(producerLogins).hasSizeGreaterThanOrEqualTo(3);
        }
    }
}
