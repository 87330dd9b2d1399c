package io.securelake.lakewriter.internals;

import java.io.IOException;
import org.apache.kafka.common.TopicPartition;

/**
 * Told as the commit protocol passes each {@link CommitStep}. Production passes {@link #NONE}; fault-injection tests
 * pass a hook that throws at a chosen step: an {@link IOException} to stand for HDFS failing there, an
 * {@link Error} to stand for the process dying there.
 */
@FunctionalInterface
public interface CommitHook {

    CommitHook NONE = (step, partition) -> {
    };

    /** Called on the writer's thread, right after {@code step}'s effect is on HDFS. */
    void reached(CommitStep step, TopicPartition partition) throws IOException;
}
