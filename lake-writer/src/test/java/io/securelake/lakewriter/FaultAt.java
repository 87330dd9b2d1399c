package io.securelake.lakewriter;

import io.securelake.lakewriter.internals.CommitHook;
import io.securelake.lakewriter.internals.CommitStep;
import java.io.IOException;
import org.apache.kafka.common.TopicPartition;

/** A commit hook that injects one fault, the first time the protocol reaches {@code step}, and remembers where. */
final class FaultAt implements CommitHook {

    private final CommitStep step;
    private final boolean crash;
    private TopicPartition firedAt;

    private FaultAt(CommitStep step, boolean crash) {
        this.step = step;
        this.crash = crash;
    }

    /** The process dies at {@code step}: nothing of the writer runs afterwards. */
    static FaultAt crash(CommitStep step) {
        return new FaultAt(step, true);
    }

    /** HDFS fails at {@code step}: the writer sees an IOException there and must repair itself. */
    static FaultAt hdfsFailure(CommitStep step) {
        return new FaultAt(step, false);
    }

    @Override
    public void reached(CommitStep reached, TopicPartition partition) throws IOException {
        if (reached != step || firedAt != null) {
            return;
        }
        firedAt = partition;
        if (crash) {
            throw new TestWriter.SimulatedCrash("killed at " + step + " of " + partition);
        }
        throw new IOException("injected HDFS failure at " + step + " of " + partition);
    }

    boolean fired() {
        return firedAt != null;
    }

    /** The partition whose commit (or recovery) reached the step; null if it never fired. */
    TopicPartition partition() {
        return firedAt;
    }
}
