package io.securelake.lakewriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.securelake.lakewriter.internals.CommitHook;
import io.securelake.lakewriter.internals.CommitStep;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A fault at every step of the commit protocol, on a real NameNode and DataNode, and the raw zone still holds every
 * event exactly once. Each test runs over every {@link CommitStep}, the steps the protocol itself reports, so a step
 * added to the protocol is tested from then on (and {@link #assertRawZoneAfterCrashAt} does not compile until its
 * expected state is written down).
 *
 * <p>The scene: writer w0 commits a few batches of each partition and is killed holding an open batch (its
 * temporaries become dead once the chain moves on); w1 then starts with the fault armed and meets it in its first
 * commit, which passes every step: files synced, manifest written and renamed, files renamed, temporaries deleted, a
 * manifest pruned (two are retained), w0's dead batch swept, the offset handed to Kafka.
 */
class CommitFaultInjectionTest extends OnMiniDfs {

    /** Where w0 left the scene: its log, and where each partition's committed chain ended. */
    private record Scene(TopicLog log, Map<TopicPartition, Long> chainEnds) {
    }

    private Scene w0CommitsSomeAndIsKilledMidBatch(Path state) throws IOException {
        TopicLog log = fx.freshLog();
        log.publish(22);
        TestWriter w0 = fx.writer("w0", log, state, CommitHook.NONE).begin().assign(log.partitions());
        w0.turnUntil("w0 to read all 22 published records of each partition", TestWriter::readEverything);
        RawZone raw = fx.rawZone();
        Map<TopicPartition, Long> ends = new HashMap<>();
        for (TopicPartition tp : log.partitions()) {
            // Preconditions of the scene: more commits than manifests retained, and an open batch on HDFS.
            List<Long> manifests = raw.manifests(tp.partition());
            assertThat(manifests).as("w0's manifests of " + tp).hasSize(WriterFixture.MANIFESTS_RETAINED);
            assertThat(w0.openBatchEvents(tp)).as("events w0 holds open in " + tp).isPositive();
            long end = raw.manifest(tp.partition(), manifests.get(manifests.size() - 1)).lastOffset() + 1;
            assertThat(w0.next(tp)).isEqualTo(end);
            assertThat(raw.exists(fx.layout.tmpBatchDir(tp.partition(), end, "w0"))).as("w0's open batch of " + tp).isTrue();
            ends.put(tp, end);
        }
        w0.kill();
        log.publishAll();
        return new Scene(log, ends);
    }

    /** Turns until the fault crashes the writer; the test then kills what is left of it. */
    private static void runUntilCrash(TestWriter w, FaultAt fault) throws IOException {
        assertThatThrownBy(() -> w.turnUntil("the injected crash", x -> false)).isInstanceOf(TestWriter.SimulatedCrash.class);
        assertThat(fault.fired()).isTrue();
        w.kill();
    }

    @ParameterizedTest
    @EnumSource(CommitStep.class)
    void aWriterKilledAtEachStepIsFinishedByTheNextOneExactlyOnce(CommitStep step, @TempDir Path state) throws IOException {
        Scene scene = w0CommitsSomeAndIsKilledMidBatch(state);
        FaultAt fault = FaultAt.crash(step);
        TestWriter w1 = fx.writer("w1", scene.log(), state, fault).begin().assign(scene.log().partitions());
        runUntilCrash(w1, fault);
        TopicPartition crashed = fault.partition();
        long first = scene.chainEnds().get(crashed);
        long expectedNext = assertRawZoneAfterCrashAt(step, crashed, first, w1);

        TestWriter w2 = fx.writer("w2", scene.log(), state, CommitHook.NONE).begin().assign(scene.log().partitions());
        w2.catchUp();
        w2.finish();
        // Recovery found the chain where the crash left it: past the batch once its manifest was in place, else before it.
        assertThat(w2.events(WriterEvent.RecoveryCompleted.class)).filteredOn(r -> r.partition().equals(crashed))
                .first().isEqualTo(new WriterEvent.RecoveryCompleted(crashed, expectedNext));
        fx.rawZone().assertExactlyOnce(scene.log(), WriterFixture.MANIFESTS_RETAINED);
    }

    /**
     * What HDFS shows when the writer died at {@code step} of its first commit, of {@code partition}'s batch starting at
     * {@code first}: exactly the effects of the steps before, none of those after.
     *
     * @return where the next writer must find the chain's end: after the batch if it was committed, else at its start
     */
    private long assertRawZoneAfterCrashAt(CommitStep step, TopicPartition partition, long first, TestWriter w1)
            throws IOException {
        RawZone raw = fx.rawZone();
        int p = partition.partition();
        boolean manifestInPlace = raw.manifests(p).contains(first);
        assertThat(manifestInPlace).as("manifest of the batch from " + first + " in place").isEqualTo(step.batchCommitted());
        if (!manifestInPlace) {
            switch (step) {
                case FILES_SYNCED -> {
                    try (DistributedFileSystem fs = fx.hdfs.newClient()) {
                        List<FileStatus> files = List.of(fs.listStatus(fx.layout.tmpBatchDir(p, first, "w1")));
                        assertThat(files).as("the batch's temporary files").hasSizeGreaterThanOrEqualTo(2);
                        for (FileStatus f : files) {
                            assertThat(fs.isFileClosed(f.getPath())).as(f.getPath() + " closed (complete, durable)").isTrue();
                        }
                    }
                    assertThat(raw.exists(fx.layout.manifestTmp(p, first, "w1"))).as("manifest written").isFalse();
                }
                case MANIFEST_WRITTEN -> assertThat(raw.exists(fx.layout.manifestTmp(p, first, "w1")))
                        .as("the manifest, written but not renamed").isTrue();
                default -> throw new AssertionError(step + " is before the commit point, but has no expectation");
            }
            return first;
        }
        CommitManifest m = raw.manifest(p, first);
        assertThat(m.files()).as("files of the crashed batch").hasSizeGreaterThanOrEqualTo(2);
        long moved = 0;
        for (CommitManifest.FileEntry e : m.files()) {
            moved += raw.isCommitted(e) ? 1 : 0;
        }
        boolean batchTmpLeft = raw.exists(fx.layout.tmpBatchDir(p, first, "w1"));
        boolean deadBatchOfW0Left = raw.exists(fx.layout.tmpBatchDir(p, first, "w0"));
        int manifests = raw.manifests(p).size();
        long lagOffset = w1.consumer.committed(Set.of(partition)).values().stream().filter(o -> o != null)
                .mapToLong(OffsetAndMetadata::offset).max().orElse(-1);
        int retained = WriterFixture.MANIFESTS_RETAINED;
        // A switch expression: a new step fails to compile here until its expected state is written down.
        String expected = switch (step) {
            case FILES_SYNCED, MANIFEST_WRITTEN -> throw new AssertionError(step + " is before the commit point");
            case MANIFEST_RENAMED -> {
                assertThat(moved).as("files moved into place").isZero();
                yield "committed, no file moved yet";
            }
            case FILE_RENAMED -> {
                assertThat(moved).as("files moved into place").isEqualTo(1);
                yield "committed, one file moved, the others still temporary";
            }
            case BATCH_TMP_DELETED -> {
                assertThat(moved).isEqualTo(m.files().size());
                assertThat(batchTmpLeft).as("the batch's temporary directory").isFalse();
                assertThat(manifests).as("manifests, not yet pruned").isEqualTo(retained + 1);
                yield "files in place, temporaries deleted, not yet pruned";
            }
            case MANIFEST_PRUNED -> {
                assertThat(manifests).as("manifests after pruning").isEqualTo(retained);
                assertThat(deadBatchOfW0Left).as("w0's dead batch, swept after pruning").isTrue();
                yield "pruned, dead temporaries not yet swept";
            }
            case DEAD_TEMPORARY_DELETED -> {
                assertThat(deadBatchOfW0Left).as("w0's dead batch").isFalse();
                assertThat(lagOffset).as("offset handed to Kafka").isEqualTo(-1);
                yield "swept, offset not yet handed to Kafka";
            }
            case KAFKA_OFFSET_COMMIT -> {
                assertThat(moved).isEqualTo(m.files().size());
                assertThat(manifests).isEqualTo(retained);
                assertThat(deadBatchOfW0Left).isFalse();
                assertThat(lagOffset).as("offset handed to Kafka").isEqualTo(-1);
                yield "everything on HDFS done, Kafka not told";
            }
        };
        assertThat(expected).isNotEmpty();
        return m.lastOffset() + 1;
    }

    @ParameterizedTest
    @EnumSource(CommitStep.class)
    void anHdfsFailureAtEachStepIsRepairedInProcessExactlyOnce(CommitStep step, @TempDir Path state) throws IOException {
        Scene scene = w0CommitsSomeAndIsKilledMidBatch(state);
        FaultAt fault = FaultAt.hdfsFailure(step);
        TestWriter w1 = fx.writer("w1", scene.log(), state, fault).begin().assign(scene.log().partitions());
        w1.catchUp();
        w1.finish();
        assertThat(fault.fired()).as("the failure was injected").isTrue();
        // The writer saw the outage, abandoned its batches, recovered every partition from the raw zone and went on.
        assertThat(w1.events(WriterEvent.OutageStarted.class)).singleElement().satisfies(o -> {
            assertThat(o.cause()).isEqualTo(WriterEvent.OutageCause.HDFS);
            assertThat(o.error()).contains("injected HDFS failure at " + step);
        });
        assertThat(w1.events(WriterEvent.OutageEnded.class)).singleElement()
                .extracting(WriterEvent.OutageEnded::cause).isEqualTo(WriterEvent.OutageCause.HDFS);
        assertThat(w1.events(WriterEvent.Stopped.class)).containsExactly(new WriterEvent.Stopped(java.util.Optional.empty()));
        fx.rawZone().assertExactlyOnce(scene.log(), WriterFixture.MANIFESTS_RETAINED);
    }

    @ParameterizedTest
    @EnumSource(CommitStep.class)
    void aWriterKilledAtAStepAndItsSuccessorKilledAtTheSameStepLoseAndDuplicateNothing(CommitStep step, @TempDir Path state)
            throws IOException {
        Scene scene = w0CommitsSomeAndIsKilledMidBatch(state);
        FaultAt first = FaultAt.crash(step);
        TestWriter w1 = fx.writer("w1", scene.log(), state, first).begin().assign(scene.log().partitions());
        runUntilCrash(w1, first);
        // The successor dies at the same step again: during its recovery where that finishes the crashed commit
        // (renames, pruning, sweeping), else in its own first commit.
        FaultAt second = FaultAt.crash(step);
        TestWriter w2 = fx.writer("w2", scene.log(), state, second).begin().assign(scene.log().partitions());
        runUntilCrash(w2, second);
        TestWriter w3 = fx.writer("w3", scene.log(), state, CommitHook.NONE).begin().assign(scene.log().partitions());
        w3.catchUp();
        w3.finish();
        fx.rawZone().assertExactlyOnce(scene.log(), WriterFixture.MANIFESTS_RETAINED);
    }
}
