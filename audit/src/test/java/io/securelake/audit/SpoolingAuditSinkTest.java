package io.securelake.audit;

import static io.securelake.audit.AuditRecord.Result.ALLOWED;
import static io.securelake.audit.AuditRecord.Result.DENIED;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The remote sink is a real {@link JsonLinesAuditSink} whose directory cannot be created because a
 * regular file stands where its parent directory should be (permissions would not stop root, which
 * runs these tests in CI containers). Removing the file brings the sink back.
 */
class SpoolingAuditSinkTest {
    @TempDir
    Path tmp;

    @Test
    void recordsWrittenWhileTheRemoteSinkIsDownAreSpooledAndReplayedInOrderNoneLost() throws Exception {
        Path blocker = tmp.resolve("hdfs-mount");
        Files.writeString(blocker, "not a directory");
        Path remoteDir = blocker.resolve("audit");
        List<String> log = new CopyOnWriteArrayList<>();
        int total = 0;
        try (SpoolingAuditSink sink = new SpoolingAuditSink(new JsonLinesAuditSink(remoteDir), tmp.resolve("spool"),
                Duration.ofMillis(100), log::add)) {
            for (int i = 0; i < 1200; i++) {
                sink.write(Records.record(total++, "alice", i % 3 == 0 ? DENIED : ALLOWED));
            }
            sink.flush();
            assertThat(sink.spooling()).isTrue();
            assertThat(sink.lastFailure()).contains("hdfs-mount");
            assertThat(Files.readAllLines(tmp.resolve("spool/spool.jsonl"))).hasSize(1200);

            // The sink comes back: the background retry replays the spool without anyone calling flush.
            Files.delete(blocker);
            assertThat(sink.awaitDrained(Duration.ofSeconds(20))).isTrue();
            assertThat(tmp.resolve("spool/spool.jsonl")).doesNotExist();

            for (int i = 0; i < 10; i++) {
                sink.write(Records.record(total++, "bob", ALLOWED));
            }
        }
        List<AuditRecord> found = AuditSearch.in(remoteDir).find(AuditQuery.all());
        assertThat(found).hasSize(total);
        for (int i = 0; i < total; i++) {
            assertThat(found.get(i).requestId()).isEqualTo("req-" + i);
        }
        assertThat(AuditVerifier.verify(remoteDir).intact()).isTrue();
        assertThat(log).anyMatch(l -> l.contains("spooling")).anyMatch(l -> l.contains("replayed"));
    }

    @Test
    void aSpoolLeftByAStoppedProcessIsReplayedAtTheNextStart() throws Exception {
        Path blocker = tmp.resolve("mount");
        Files.writeString(blocker, "x");
        Path remoteDir = blocker.resolve("audit");
        try (SpoolingAuditSink sink = new SpoolingAuditSink(new JsonLinesAuditSink(remoteDir), tmp.resolve("spool"),
                Duration.ofSeconds(30), l -> { })) {
            for (int i = 0; i < 5; i++) {
                sink.write(Records.record(i, "dave", ALLOWED));
            }
        }
        assertThat(tmp.resolve("spool/spool.jsonl")).exists();
        Files.delete(blocker);
        try (SpoolingAuditSink sink = new SpoolingAuditSink(new JsonLinesAuditSink(remoteDir), tmp.resolve("spool"),
                Duration.ofSeconds(30), l -> { })) {
            sink.write(Records.record(5, "dave", ALLOWED)); // goes behind the spooled five
            sink.flush();
            assertThat(sink.spooling()).isFalse();
        }
        assertThat(AuditSearch.in(remoteDir).find(AuditQuery.all())).extracting(AuditRecord::requestId)
                .containsExactly("req-0", "req-1", "req-2", "req-3", "req-4", "req-5");
    }

    @Test
    void batchingWriterDeliversEverythingOnClose() {
        Path dir = tmp.resolve("trail");
        try (BatchingAuditSink sink = new BatchingAuditSink(new JsonLinesAuditSink(dir), 64,
                Duration.ofMillis(20), Duration.ofSeconds(20))) {
            for (int i = 0; i < 5000; i++) {
                sink.write(Records.record(i, "alice", ALLOWED));
            }
        }
        assertThat(AuditSearch.in(dir).find(AuditQuery.all())).hasSize(5000);
        assertThat(AuditVerifier.verify(dir).lines()).isEqualTo(5000);
    }
}
