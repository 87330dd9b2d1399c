package io.securelake.lakewriter;

import static org.assertj.core.api.Assertions.assertThat;

import io.securelake.lakewriter.internals.CommitHook;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two writers that both believe they own a partition (a zombie after a rebalance: a long GC pause, a network
 * partition) race for each range: the manifest name is the range's first offset and can be taken once, so exactly one
 * commits it; the other drops its batch and re-synchronises where the winner's chain ends. Here the zombie is never
 * told by Kafka, the case the real-stack tests cannot stage on purpose.
 */
class ZombieWriterTest extends OnMiniDfs {

    @Test
    void ofTwoWritersOnOnePartitionTheOneThatLosesTheManifestRaceDropsItsBatch(@TempDir Path state) throws IOException {
        TopicLog log = fx.freshLog();
        log.publishAll();
        TopicPartition p0 = log.partitions().get(0);
        TestWriter owner = fx.writer("owner", log, state, CommitHook.NONE).begin().assign(log.partitions());
        // The owner commits once: the first commit after a recovery also sweeps temporaries below the chain's end,
        // which would delete the zombie's files under it (a failure of a different kind, an I/O error).
        owner.turnUntil("the owner's first commit of " + p0, w -> committed(w, p0).size() == 1);
        long chainEnd = committed(owner, p0).get(0).lastOffset() + 1;
        // The zombie believes it owns the partition too: it recovers the same chain and reads the same records, into a
        // batch from the same first offset.
        TestWriter zombie = fx.writer("zombie", log, state, CommitHook.NONE).begin().assign(List.of(p0));
        zombie.turn();
        assertThat(zombie.events(WriterEvent.RecoveryCompleted.class)).containsExactly(
                new WriterEvent.RecoveryCompleted(p0, chainEnd));
        assertThat(zombie.openBatchEvents(p0)).isPositive();
        owner.turnUntil("the owner's commit from " + chainEnd, w -> committed(w, p0).size() == 2);
        WriterEvent.BatchCommitted won = committed(owner, p0).get(1);
        assertThat(won.firstOffset()).isEqualTo(chainEnd);

        zombie.turnUntil("the zombie to lose the race", w -> !w.events(WriterEvent.Fenced.class).isEmpty());
        WriterEvent.Fenced lost = zombie.events(WriterEvent.Fenced.class).get(0);
        assertThat(lost.partition()).isEqualTo(p0);
        assertThat(lost.firstOffset()).as("the range start both claimed").isEqualTo(won.firstOffset());
        assertThat(committed(zombie, p0)).as("what the zombie committed").isEmpty();
        // It dropped its batch (files and manifest) and took up the chain where the owner's commit ended it.
        RawZone raw = fx.rawZone();
        assertThat(raw.exists(fx.layout.tmpBatchDir(p0.partition(), lost.firstOffset(), "zombie"))).isFalse();
        assertThat(raw.exists(fx.layout.manifestTmp(p0.partition(), lost.firstOffset(), "zombie"))).isFalse();
        assertThat(raw.manifest(p0.partition(), won.firstOffset()).writerId()).isEqualTo("owner");
        assertThat(zombie.events(WriterEvent.RecoveryCompleted.class)).last()
                .isEqualTo(new WriterEvent.RecoveryCompleted(p0, won.lastOffset() + 1));

        // They go on racing, turn for turn, until everything is committed.
        owner.turnUntil("both writers to commit everything", w -> {
            boolean ownerDone = owner.caughtUpOrDue();
            boolean zombieDone = zombie.caughtUpOrDue();
            if (!zombieDone) {
                zombie.turn();
            }
            return ownerDone && zombieDone;
        });
        owner.finish();
        zombie.finish();

        // Each range of the partition was committed by exactly one of them: together a gapless, disjoint chain.
        List<WriterEvent.BatchCommitted> ranges = new ArrayList<>(committed(owner, p0));
        ranges.addAll(committed(zombie, p0));
        ranges.sort(Comparator.comparingLong(WriterEvent.BatchCommitted::firstOffset));
        long next = 0;
        for (WriterEvent.BatchCommitted r : ranges) {
            assertThat(r.firstOffset()).as("range " + r).isEqualTo(next);
            next = r.lastOffset() + 1;
        }
        assertThat(next).isEqualTo(log.end(p0));
        assertThat(zombie.events(WriterEvent.Fenced.class)).as("races the zombie lost").isNotEmpty();
        raw.assertExactlyOnce(log, WriterFixture.MANIFESTS_RETAINED);
    }

    private static List<WriterEvent.BatchCommitted> committed(TestWriter w, TopicPartition tp) {
        return w.events(WriterEvent.BatchCommitted.class).stream().filter(c -> c.partition().equals(tp)).toList();
    }
}
