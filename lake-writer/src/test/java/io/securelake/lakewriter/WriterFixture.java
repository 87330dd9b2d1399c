package io.securelake.lakewriter;

import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentCatalog;
import io.securelake.ingest.schema.SchemaCatalog;
import io.securelake.lakewriter.internals.CommitHook;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;

/**
 * What the writer tests share: a MiniDFSCluster, the shipped {@code dev} environment (its {@code payments} dataset is
 * the one written) and the raw topic's log. One per test class; {@link #freshLog} starts each test from an empty lake.
 */
final class WriterFixture implements AutoCloseable {

    static final int PARTITIONS = 2;
    static final int RECORDS_PER_PARTITION = 40;
    static final int MANIFESTS_RETAINED = 2;
    private static final Instant BASE_TIME = Instant.parse("2026-11-25T06:00:00Z");

    final MiniHdfs hdfs;
    final Environment env;
    final DatasetLayout layout;
    private final SchemaCatalog schemas;
    private final FileSystem reader;

    WriterFixture(Path hdfsDir) throws IOException {
        this.hdfs = MiniHdfs.start(hdfsDir);
        this.env = EnvironmentCatalog.of(Path.of(System.getProperty("securelake.envs.dir"))).load("dev");
        this.layout = DatasetLayout.of(env, env.dataset("payments").orElseThrow());
        this.schemas = SchemaCatalog.load(Path.of(System.getProperty("securelake.schemas.dir")));
        this.reader = hdfs.newClient();
    }

    /**
     * Empties the lake and builds the payments topic anew: {@link #PARTITIONS} partitions of
     * {@link #RECORDS_PER_PARTITION} records, nothing published yet. Consecutive events fall in different hours, so
     * every batch of two or more events has as many files; one record of each partition is not an event (partition 1
     * at offset 5, partition 0 at offset 30) and must be quarantined.
     */
    TopicLog freshLog() throws IOException {
        hdfs.wipe("/lake");
        TopicLog log = new TopicLog(layout.topic(), PARTITIONS);
        TestEvents events = new TestEvents(schemas.dataset("payments").latest(), 7);
        for (int i = 0; i < RECORDS_PER_PARTITION; i++) {
            for (int p = 0; p < PARTITIONS; p++) {
                if ((p == 1 && i == 5) || (p == 0 && i == 30)) {
                    log.appendGarbage(p, "{\"card_number\":\"not an event\"}");
                } else {
                    log.append(p, events.next(BASE_TIME.plus(Duration.ofHours(i % 3))));
                }
            }
        }
        return log;
    }

    /** A writer over the fixture's HDFS and {@code log}, reading at most 3 records per partition and poll. */
    TestWriter writer(String id, TopicLog log, Path stateDir, CommitHook hook) {
        return writer(id, log, stateDir, hook, Map.of());
    }

    TestWriter writer(String id, TopicLog log, Path stateDir, CommitHook hook, Map<String, String> settings) {
        return new TestWriter(id, hdfs, env, log, stateDir, hook, 3, settings);
    }

    RawZone rawZone() {
        return new RawZone(reader, layout);
    }

    @Override
    public void close() throws IOException {
        reader.close();
        hdfs.close();
    }
}
