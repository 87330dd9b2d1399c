package io.securelake.lakewriter;

import io.securelake.envs.Dataset;
import io.securelake.envs.Environment;
import io.securelake.envs.Partitioning;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.Path;

/**
 * Where one dataset's files live in the raw zone (all derived from the environment):
 * <pre>
 *   &lt;raw&gt;/dt=YYYY-MM-DD/hr=HH/part-&lt;partition&gt;-&lt;first&gt;-&lt;last&gt;.avro   committed data (what Spark reads)
 *   &lt;raw&gt;/_commits/&lt;partition&gt;/&lt;first&gt;.json                            commit manifests: the offsets
 *   &lt;raw&gt;/_commits/_tmp/…                                               manifests being written
 *   &lt;raw&gt;/_tmp/&lt;partition&gt;/&lt;first&gt;-&lt;writer&gt;/…                          files of open batches
 *   &lt;quarantine&gt;/&lt;topic&gt;-&lt;partition&gt;-&lt;offset&gt;.json                      undecodable events
 * </pre>
 * Names starting with {@code _} are ignored by Spark and Hive. Everything stays under the dataset's raw
 * directory so a rename never crosses a directory tree (nor a future HDFS encryption zone).
 */
public record DatasetLayout(Dataset dataset, String topic, Path raw, Path quarantine) {

    private static final Pattern MANIFEST = Pattern.compile("([0-9]{20})\\.json");
    private static final Pattern TMP_BATCH = Pattern.compile("([0-9]{20})-([A-Za-z0-9_]+)");

    public static DatasetLayout of(Environment env, Dataset dataset) {
        return new DatasetLayout(dataset, env.names().rawTopic(dataset), new Path(env.names().rawPath(dataset)),
                new Path(env.names().quarantinePath(dataset)));
    }

    public Path commitsDir(int partition) {
        return new Path(raw, "_commits/" + partition);
    }

    public Path commitsTmpDir() {
        return new Path(raw, "_commits/_tmp");
    }

    public Path manifest(int partition, long firstOffset) {
        return new Path(commitsDir(partition), String.format("%020d.json", firstOffset));
    }

    public Path manifestTmp(int partition, long firstOffset, String writerId) {
        return new Path(commitsTmpDir(), String.format("%d-%020d-%s.json", partition, firstOffset, writerId));
    }

    public Path tmpPartitionDir(int partition) {
        return new Path(raw, "_tmp/" + partition);
    }

    public Path tmpBatchDir(int partition, long firstOffset, String writerId) {
        return new Path(tmpPartitionDir(partition), String.format("%020d-%s", firstOffset, writerId));
    }

    /** {@code dt=2026-11-25/hr=07} (hourly) or {@code dt=2026-11-25} (daily), in UTC. */
    public String timePartition(long epochMillis) {
        ZonedDateTime t = Instant.ofEpochMilli(epochMillis).atZone(ZoneOffset.UTC);
        String day = String.format("dt=%04d-%02d-%02d", t.getYear(), t.getMonthValue(), t.getDayOfMonth());
        return dataset.partitioning() == Partitioning.HOURLY ? day + String.format("/hr=%02d", t.getHour()) : day;
    }

    /** Relative to {@link #raw()}: {@code dt=…/hr=…/part-00001-00000000000000000100-00000000000000000199.avro}. */
    public static String finalFileName(String timePartition, int partition, long first, long last) {
        return timePartition + String.format("/part-%05d-%020d-%020d.avro", partition, first, last);
    }

    public Path quarantineFile(int partition, long offset) {
        return new Path(quarantine, String.format("%s-%d-%020d.json", topic, partition, offset));
    }

    /** The first offset a manifest's file name claims, if it is one. */
    public static Optional<Long> manifestFirstOffset(String fileName) {
        Matcher m = MANIFEST.matcher(fileName);
        return m.matches() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }

    /** The first offset of a temporary batch directory's name, if it is one. */
    public static Optional<Long> tmpBatchFirstOffset(String dirName) {
        Matcher m = TMP_BATCH.matcher(dirName);
        return m.matches() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }
}
