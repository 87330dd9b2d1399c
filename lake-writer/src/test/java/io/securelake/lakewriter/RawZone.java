package io.securelake.lakewriter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.kafka.common.TopicPartition;

/**
 * A dataset's raw zone read back from HDFS: the committed files as Spark would see them (every name starting with
 * {@code _} skipped), the writer's manifests and temporaries, and the quarantine.
 */
final class RawZone {

    private static final Pattern PART = Pattern.compile("part-(\\d{5})-(\\d{20})-(\\d{20})\\.avro");

    /** One committed event: the file holding it and the offset range that file's name claims. */
    record Landed(String id, String file, int partition, long first, long last) {
    }

    private final FileSystem fs;
    private final DatasetLayout layout;

    RawZone(FileSystem fs, DatasetLayout layout) {
        this.fs = fs;
        this.layout = layout;
    }

    /** Every event in a committed file (one entry per record, so a duplicate shows twice). */
    List<Landed> landed() throws IOException {
        List<Landed> out = new ArrayList<>();
        if (!fs.exists(layout.raw())) {
            return out;
        }
        RemoteIterator<LocatedFileStatus> files = fs.listFiles(layout.raw(), true);
        while (files.hasNext()) {
            Path p = files.next().getPath();
            String relative = p.toUri().getPath().substring(layout.raw().toUri().getPath().length() + 1);
            if (List.of(relative.split("/")).stream().anyMatch(part -> part.startsWith("_"))) {
                continue;
            }
            Matcher m = PART.matcher(p.getName());
            assertThat(m.matches()).as("committed file name " + relative).isTrue();
            try (InputStream in = fs.open(p);
                 DataFileStream<GenericRecord> avro = new DataFileStream<>(in, new GenericDatumReader<>())) {
                for (GenericRecord r : avro) {
                    out.add(new Landed(r.get("event_id").toString(), relative, Integer.parseInt(m.group(1)),
                            Long.parseLong(m.group(2)), Long.parseLong(m.group(3))));
                }
            }
        }
        return out;
    }

    /** First offsets of the partition's manifests, oldest first. */
    List<Long> manifests(int partition) throws IOException {
        List<Long> out = new ArrayList<>();
        Path dir = layout.commitsDir(partition);
        if (fs.exists(dir)) {
            for (FileStatus s : fs.listStatus(dir)) {
                DatasetLayout.manifestFirstOffset(s.getPath().getName()).ifPresent(out::add);
            }
        }
        out.sort(null);
        return out;
    }

    CommitManifest manifest(int partition, long first) throws IOException {
        try (InputStream in = fs.open(layout.manifest(partition, first))) {
            return CommitManifest.parse(in.readAllBytes());
        }
    }

    boolean exists(Path p) throws IOException {
        return fs.exists(p);
    }

    boolean isCommitted(CommitManifest.FileEntry e) throws IOException {
        return fs.exists(new Path(layout.raw(), e.finalName()));
    }

    /** Files under the temporary directories of batches and manifests (anything a writer left uncommitted). */
    List<String> temporaries() throws IOException {
        List<String> out = new ArrayList<>();
        for (Path dir : List.of(new Path(layout.raw(), "_tmp"), layout.commitsTmpDir())) {
            if (fs.exists(dir)) {
                RemoteIterator<LocatedFileStatus> files = fs.listFiles(dir, true);
                while (files.hasNext()) {
                    out.add(files.next().getPath().toUri().getPath());
                }
            }
        }
        return out;
    }

    /** Names of the quarantine's entries. */
    List<String> quarantined() throws IOException {
        List<String> out = new ArrayList<>();
        if (fs.exists(layout.quarantine())) {
            for (FileStatus s : fs.listStatus(layout.quarantine())) {
                if (s.isFile()) {
                    out.add(s.getPath().getName());
                }
            }
        }
        out.sort(null);
        return out;
    }

    /**
     * The raw zone holds every event of the log exactly once, each in a file of its own partition whose range covers its
     * offset, ranges of different batches never overlap, every undecodable record is quarantined once, and no
     * temporary or surplus manifest is left.
     */
    void assertExactlyOnce(TopicLog log, int manifestsRetained) throws IOException {
        List<Landed> landed = landed();
        Map<String, Long> occurrences = new HashMap<>();
        landed.forEach(l -> occurrences.merge(l.id(), 1L, Long::sum));
        assertThat(occurrences.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList())
                .as("events landed more than once").isEmpty();
        Map<String, TopicPartition> partitionOf = new HashMap<>();
        Map<String, Long> offsetOf = new HashMap<>();
        log.events().forEach((tp, ids) -> ids.forEach((offset, id) -> {
            partitionOf.put(id, tp);
            offsetOf.put(id, offset);
        }));
        assertThat(occurrences.keySet()).as("events landed").containsExactlyInAnyOrderElementsOf(partitionOf.keySet());
        for (Landed l : landed) {
            assertThat(l.partition()).as("partition of " + l).isEqualTo(partitionOf.get(l.id()).partition());
            assertThat(offsetOf.get(l.id())).as("offset of " + l).isBetween(l.first(), l.last());
        }
        Map<Integer, TreeMap<Long, Long>> ranges = new HashMap<>();
        for (Landed l : landed) {
            Long previous = ranges.computeIfAbsent(l.partition(), p -> new TreeMap<>()).put(l.first(), l.last());
            assertThat(previous == null || previous == l.last()).as("one range per first offset: " + l).isTrue();
        }
        ranges.forEach((partition, byFirst) -> {
            long end = -1;
            for (Map.Entry<Long, Long> r : byFirst.entrySet()) {
                assertThat(r.getKey()).as("partition " + partition + ": range starting at " + r.getKey() + " overlaps")
                        .isGreaterThan(end);
                end = r.getValue();
            }
        });
        List<String> expectedQuarantine = new ArrayList<>();
        for (TopicPartition tp : log.partitions()) {
            for (long offset : log.garbageOffsets(tp)) {
                expectedQuarantine.add(layout.quarantineFile(tp.partition(), offset).getName());
            }
        }
        expectedQuarantine.sort(null);
        assertThat(quarantined()).as("quarantine").isEqualTo(expectedQuarantine);
        assertThat(temporaries()).as("temporaries left").isEmpty();
        for (TopicPartition tp : log.partitions()) {
            assertThat(manifests(tp.partition())).as("manifests of " + tp).hasSizeBetween(1, manifestsRetained);
        }
    }
}
