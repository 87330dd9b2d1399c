package io.securelake.lakewriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.securelake.lakewriter.internals.CommitHook;
import io.securelake.lakewriter.internals.CommitStep;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer's rebalance paths with Kafka's MockConsumer, on a MiniDFSCluster: a partition revoked while its batch is
 * open is handed over committed (or, if that commit fails, dropped and redone by the next owner); a lost one is
 * dropped; an assignment completes the commit a crashed owner left half done. Every test ends with each event in the
 * raw zone exactly once.
 */
class RebalanceTest extends OnMiniDfs {

    /** Records published before the hand-over: the writers read them all and keep the last few in open batches. */
    private static final int BEFORE_HANDOVER = 19;

    private TopicLog log;
    private TopicPartition p0;
    private TopicPartition p1;

    @BeforeEach
    void freshLog() throws IOException {
        log = fx.freshLog();
        p0 = log.partitions().get(0);
        p1 = log.partitions().get(1);
    }

    /** A writer of both partitions that has read the first records and holds an open batch of each. */
    private TestWriter holdingOpenBatches(String id, Path state, CommitHook hook) throws IOException {
        log.publish(BEFORE_HANDOVER);
        TestWriter w = fx.writer(id, log, state, hook).begin().assign(log.partitions());
        w.turnUntil("everything published read", TestWriter::readEverything);
        for (TopicPartition tp : log.partitions()) {
            assertThat(w.openBatchEvents(tp)).as("events open in " + tp).isPositive();
            assertThat(w.next(tp)).as("committed chain of " + tp).isPositive();
        }
        return w;
    }

    private long chainEnd(TopicPartition tp) throws IOException {
        RawZone raw = fx.rawZone();
        List<Long> manifests = raw.manifests(tp.partition());
        return raw.manifest(tp.partition(), manifests.get(manifests.size() - 1)).lastOffset() + 1;
    }

    @Test
    void aPartitionRevokedDuringABatchIsHandedOverCommittedAndTheNextOwnerStartsAfterIt(@TempDir Path state)
            throws IOException {
        TestWriter w1 = holdingOpenBatches("w1", state, CommitHook.NONE);
        w1.assign(List.of(p1)).turn();
        // The revocation committed the open batch: the chain ends where w1 had read to, and w1 said so.
        assertThat(chainEnd(p0)).isEqualTo(BEFORE_HANDOVER);
        List<WriterEvent> events = w1.events();
        int revoked = events.indexOf(new WriterEvent.Revoked(p0));
        assertThat(revoked).as("REVOKED " + p0).isNotNegative();
        assertThat(events.subList(revoked, events.size())).filteredOn(WriterEvent.BatchCommitted.class::isInstance)
                .map(WriterEvent.BatchCommitted.class::cast).filteredOn(c -> c.partition().equals(p0))
                .singleElement().extracting(WriterEvent.BatchCommitted::lastOffset).isEqualTo((long) BEFORE_HANDOVER - 1);

        log.publishAll();
        TestWriter w2 = fx.writer("w2", log, state, CommitHook.NONE).begin().assign(List.of(p0));
        w2.catchUp();
        assertThat(w2.events(WriterEvent.RecoveryCompleted.class)).first()
                .isEqualTo(new WriterEvent.RecoveryCompleted(p0, BEFORE_HANDOVER));
        w1.catchUp();
        // And back: w2 hands p0 over committed, w1 takes it again from where w2's chain ends.
        w2.assign(List.of()).turn();
        w1.assign(log.partitions());
        w1.catchUp();
        assertThat(w1.events(WriterEvent.RecoveryCompleted.class)).last()
                .isEqualTo(new WriterEvent.RecoveryCompleted(p0, log.end(p0)));
        w1.finish();
        w2.finish();
        fx.rawZone().assertExactlyOnce(log, WriterFixture.MANIFESTS_RETAINED);
    }

    @Test
    void aBatchWhoseCommitFailsOnRevocationIsDroppedAndRedoneByTheNextOwner(@TempDir Path state) throws IOException {
        AtomicBoolean hdfsFails = new AtomicBoolean();
        CommitHook failing = (step, tp) -> {
            if (hdfsFails.get() && step == CommitStep.FILES_SYNCED) {
                throw new IOException("injected: HDFS refuses the revocation's commit");
            }
        };
        TestWriter w1 = holdingOpenBatches("w1", state, failing);
        long before = chainEnd(p0);
        hdfsFails.set(true);
        w1.assign(List.of(p1)).turn();
        hdfsFails.set(false);
        assertThat(w1.events()).contains(new WriterEvent.Revoked(p0));
        assertThat(chainEnd(p0)).as("chain end of " + p0 + " after the failed hand-over").isEqualTo(before);
        assertThat(w1.events(WriterEvent.BatchCommitted.class)).filteredOn(c -> c.partition().equals(p0))
                .allMatch(c -> c.lastOffset() < before);
        // A failed commit on revocation is no outage of w1's: it goes on with the partition it kept.
        assertThat(w1.events(WriterEvent.OutageStarted.class)).isEmpty();

        nextOwnerRecoversFromTheChainEndAndAllLandsOnce(w1, before, state);
    }

    @Test
    void aLostPartitionsBatchIsDroppedUncommittedAndRedoneByItsNextOwner(@TempDir Path state) throws IOException {
        TestWriter w1 = holdingOpenBatches("w1", state, CommitHook.NONE);
        long before = chainEnd(p0);
        int committedBefore = w1.events(WriterEvent.BatchCommitted.class).size();
        w1.consumer.loseOnNextPoll(List.of(p0));
        w1.turn();
        assertThat(w1.events()).contains(new WriterEvent.Lost(p0));
        // Someone else may own it already: w1 committed nothing more.
        assertThat(w1.events(WriterEvent.BatchCommitted.class)).hasSize(committedBefore);
        assertThat(chainEnd(p0)).isEqualTo(before);

        nextOwnerRecoversFromTheChainEndAndAllLandsOnce(w1, before, state);
    }

    @Test
    void anAssignmentFinishesTheCommitAPreviousOwnerLeftHalfDone(@TempDir Path state) throws IOException {
        log.publishAll();
        FaultAt crash = FaultAt.crash(CommitStep.FILE_RENAMED);
        TestWriter w1 = fx.writer("w1", log, state, crash).begin().assign(log.partitions());
        assertThatThrownBy(() -> w1.turnUntil("the crash between two renames", w -> false))
                .isInstanceOf(TestWriter.SimulatedCrash.class);
        w1.kill();
        TopicPartition crashed = crash.partition();
        RawZone raw = fx.rawZone();
        List<Long> manifests = raw.manifests(crashed.partition());
        CommitManifest halfDone = raw.manifest(crashed.partition(), manifests.get(manifests.size() - 1));
        assertThat(halfDone.files()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(halfDone.files().stream().filter(f -> isCommitted(raw, f))).as("files moved before the crash").hasSize(1);

        // The assignment alone finishes it: recovery moves the rest into place before the new owner commits anything.
        TestWriter w2 = fx.writer("w2", log, state, CommitHook.NONE).begin().assign(List.of(crashed));
        w2.turn();
        assertThat(w2.events(WriterEvent.RecoveryCompleted.class))
                .containsExactly(new WriterEvent.RecoveryCompleted(crashed, halfDone.lastOffset() + 1));
        assertThat(w2.events(WriterEvent.BatchCommitted.class)).isEmpty();
        assertThat(halfDone.files()).allMatch(f -> isCommitted(raw, f));

        w2.assign(log.partitions());
        w2.catchUp();
        w2.finish();
        raw.assertExactlyOnce(log, WriterFixture.MANIFESTS_RETAINED);
    }

    private static boolean isCommitted(RawZone raw, CommitManifest.FileEntry f) {
        try {
            return raw.isCommitted(f);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The rest of the log is published, w2 takes {@code p0} and recovers from the chain end w1 left, both writers
     * catch up: every event lands exactly once.
     */
    private void nextOwnerRecoversFromTheChainEndAndAllLandsOnce(TestWriter w1, long chainEnd, Path state)
            throws IOException {
        log.publishAll();
        TestWriter w2 = fx.writer("w2", log, state, CommitHook.NONE).begin().assign(List.of(p0));
        w2.catchUp();
        assertThat(w2.events(WriterEvent.RecoveryCompleted.class)).first()
                .isEqualTo(new WriterEvent.RecoveryCompleted(p0, chainEnd));
        w1.catchUp();
        w1.finish();
        w2.finish();
        fx.rawZone().assertExactlyOnce(log, WriterFixture.MANIFESTS_RETAINED);
    }
}
