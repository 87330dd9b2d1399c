package io.securelake.tests.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.devstack.local.CoreStack;
import io.securelake.devstack.local.PolicyEnforcement;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentCatalog;
import io.securelake.envs.ServiceRole;
import io.securelake.hadoop.HadoopSecurity;
import io.securelake.ingest.generate.EventGenerator;
import io.securelake.ingest.producer.IngestConfig;
import io.securelake.ingest.producer.IngestResult;
import io.securelake.ingest.producer.KerberosCredentials;
import io.securelake.ingest.producer.SecureProducer;
import io.securelake.ingest.schema.SchemaCatalog;
import io.securelake.lakewriter.CommitManifest;
import io.securelake.lakewriter.LakeWriterConfig;
import io.securelake.operations.connect.StackHome;
import io.securelake.tests.CoreJvm;
import io.securelake.testsupport.ShippedEnvironments;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** One real core stack plus what the pipeline needs around it: keys, configurations, raw-zone readers. */
final class PipelineFixture implements AutoCloseable {
    static final Path ENVS_DIR = ShippedEnvironments.envsDir();
    /** The project's Ranger policies as code (what the shipped environments are enforced with). */
    static final Path POLICIES_DIR = ENVS_DIR.resolveSibling("security-policies").resolve("policies");

    final Path envsDir;
    final Path schemasDir;
    final Environment env;
    final CoreStack stack;
    final Path base;
    final URI kekProvider;
    final Path deks;
    final Path endpointsFile;

    PipelineFixture(Path base) throws IOException {
        this(base, ENVS_DIR);
    }

    /** The dev environment as defined in {@code envsDir} (a variant of the shipped one), under the project's policies. */
    PipelineFixture(Path base, Path envsDir) throws IOException {
        this.base = base;
        this.envsDir = envsDir;
        this.schemasDir = SchemaCatalog.besideEnvironments(envsDir);
        this.env = EnvironmentCatalog.of(envsDir).load("dev");
        this.stack = CoreStack.start(env, CoreJvm.prepare(env, new StackHome(base.resolve("dev"))), new PolicyEnforcement(envsDir, POLICIES_DIR),
                System.out::println);
        Path keys = Files.createDirectories(base.resolve("keys"));
        this.kekProvider = URI.create("jceks://file" + keys.resolve("keks.jceks").toAbsolutePath());
        this.deks = Files.createDirectories(keys.resolve("deks"));
        LocalKeys.ensureKeks(kekProvider, env.datasets().stream().map(d -> env.names().keyEncryptionKey(d)).toList());
        this.endpointsFile = base.resolve("endpoints.json");
        stack.endpoints().writeTo(endpointsFile);
    }

    String principal(ServiceRole role) {
        return env.names().servicePrincipal(role);
    }

    IngestConfig ingestConfig(String dataset, String principal, boolean encrypt) {
        return ingestConfig(dataset, principal, encrypt, IngestConfig.ProducerTuning.defaults());
    }

    IngestConfig ingestConfig(String dataset, String principal, boolean encrypt, IngestConfig.ProducerTuning tuning) {
        return new IngestConfig(env.name(), dataset, stack.endpoints().kafkaBootstrap(), Path.of(stack.endpoints().caPem()),
                Optional.of(Path.of(stack.endpoints().krb5Conf())),
                new KerberosCredentials.Keytab(stack.qualify(principal), stack.keytab(principal)), encrypt,
                Optional.of(kekProvider), Optional.of(deks), schemasDir, tuning);
    }

    Map<String, String> writerProperties(Path stateDir) {
        String lw = principal(ServiceRole.LAKE_WRITER);
        Map<String, String> p = new HashMap<>();
        p.put(LakeWriterConfig.ENVIRONMENT, env.name());
        p.put(LakeWriterConfig.BOOTSTRAP_SERVERS, stack.endpoints().kafkaBootstrap());
        p.put(LakeWriterConfig.SSL_CA_PEM, stack.endpoints().caPem());
        p.put(LakeWriterConfig.KRB5_CONF, stack.endpoints().krb5Conf());
        p.put(LakeWriterConfig.PRINCIPAL, stack.qualify(lw));
        p.put(LakeWriterConfig.KEYTAB, stack.keytab(lw).toString());
        p.put(LakeWriterConfig.NAMENODE, stack.endpoints().hdfsNameNode());
        p.put(LakeWriterConfig.NAMENODE_PRINCIPAL, stack.endpoints().hdfsPrincipal());
        p.put(LakeWriterConfig.SCHEMAS_DIR, schemasDir.toString());
        p.put(LakeWriterConfig.STATE_DIR, stateDir.toString());
        p.put(LakeWriterConfig.ROLL_INTERVAL_MS, "1000");
        p.put(LakeWriterConfig.STATUS_INTERVAL_MS, "500");
        return p;
    }

    UserGroupInformation hdfsUser(String principal) {
        Configuration conf = stack.clients().hdfsConfiguration();
        return HadoopSecurity.login(conf, stack.qualify(principal), stack.keytab(principal));
    }

    /** A raw-zone file: its path relative to the dataset's directory, its bytes and its records. */
    record RawFile(String path, byte[] bytes, List<GenericRecord> records) {
    }

    /** Every visible (committed) Avro file under a directory, read as {@code principal}. */
    List<RawFile> readRawZone(String principal, String dir) throws IOException {
        Configuration conf = stack.clients().hdfsConfiguration();
        return HadoopSecurity.doAs(hdfsUser(principal), () -> {
            List<RawFile> files = new ArrayList<>();
            try (FileSystem fs = FileSystem.newInstance(conf)) {
                org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(dir);
                if (!fs.exists(root)) {
                    return files;
                }
                RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
                while (it.hasNext()) {
                    LocatedFileStatus s = it.next();
                    String rel = s.getPath().toUri().getPath().substring(dir.length() + 1);
                    boolean hidden = false;
                    for (String part : rel.split("/")) {
                        hidden |= part.startsWith("_") || part.startsWith(".");
                    }
                    if (hidden || !rel.endsWith(".avro")) {
                        continue;
                    }
                    byte[] bytes;
                    try (var in = fs.open(s.getPath())) {
                        bytes = in.readAllBytes();
                    }
                    List<GenericRecord> records = new ArrayList<>();
                    try (DataFileStream<GenericRecord> stream = new DataFileStream<>(new java.io.ByteArrayInputStream(bytes),
                            new GenericDatumReader<>())) {
                        stream.forEach(records::add);
                    }
                    files.add(new RawFile(rel, bytes, records));
                }
            }
            return files;
        });
    }

    /** Commit manifests kept per Kafka partition ({@code _commits/<partition>/*.json}), read as the lake-writer. */
    Map<Integer, Integer> manifestsPerPartition(io.securelake.envs.Dataset dataset) throws IOException {
        Configuration conf = stack.clients().hdfsConfiguration();
        return HadoopSecurity.doAs(hdfsUser(principal(ServiceRole.LAKE_WRITER)), () -> {
            Map<Integer, Integer> out = new HashMap<>();
            try (FileSystem fs = FileSystem.newInstance(conf)) {
                for (var partition : fs.listStatus(new org.apache.hadoop.fs.Path(env.names().rawPath(dataset), "_commits"))) {
                    if (partition.isDirectory() && partition.getPath().getName().matches("[0-9]+")) {
                        int manifests = 0;
                        for (var f : fs.listStatus(partition.getPath())) {
                            manifests += f.getPath().getName().endsWith(".json") ? 1 : 0;
                        }
                        out.put(Integer.parseInt(partition.getPath().getName()), manifests);
                    }
                }
            }
            return out;
        });
    }

    /**
     * Where each partition's committed chain ends on HDFS: its newest manifest's last offset + 1 (partitions with no
     * manifest are absent). Read from the raw zone itself, as the lake-writer.
     */
    Map<Integer, Long> chainEnds(io.securelake.envs.Dataset dataset) throws IOException {
        Configuration conf = stack.clients().hdfsConfiguration();
        return HadoopSecurity.doAs(hdfsUser(principal(ServiceRole.LAKE_WRITER)), () -> {
            Map<Integer, Long> out = new java.util.TreeMap<>();
            try (FileSystem fs = FileSystem.newInstance(conf)) {
                for (var partition : fs.listStatus(new org.apache.hadoop.fs.Path(env.names().rawPath(dataset), "_commits"))) {
                    if (partition.isDirectory() && partition.getPath().getName().matches("[0-9]+")) {
                        long end = -1;
                        for (var f : fs.listStatus(partition.getPath())) {
                            if (f.getPath().getName().endsWith(".json")) {
                                try (var in = fs.open(f.getPath())) {
                                    end = Math.max(end, CommitManifest.parse(in.readAllBytes()).lastOffset() + 1);
                                }
                            }
                        }
                        if (end >= 0) {
                            out.put(Integer.parseInt(partition.getPath().getName()), end);
                        }
                    }
                }
            }
            return out;
        });
    }

    /** A partition's first and next offset in Kafka: events produced to it are at offsets {@code [start, end)}. */
    record Offsets(long start, long end) {
    }

    /**
     * Kafka's log start and end offset of every partition of {@code topic}, asked of the broker as the lake-writer
     * (read after the producer's last acknowledgement, the end offsets are final). The producer is idempotent and not
     * transactional, so every offset in between holds one event.
     */
    Map<Integer, Offsets> offsets(String topic) {
        String lw = principal(ServiceRole.LAKE_WRITER);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(stack.clients().kafkaProperties(lw),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic, java.time.Duration.ofMinutes(2)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            Map<TopicPartition, Long> start = c.beginningOffsets(parts, java.time.Duration.ofMinutes(2));
            Map<TopicPartition, Long> end = c.endOffsets(parts, java.time.Duration.ofMinutes(2));
            Map<Integer, Offsets> out = new java.util.TreeMap<>();
            parts.forEach(tp -> out.put(tp.partition(), new Offsets(start.get(tp), end.get(tp))));
            return out;
        }
    }

    /** {@link #offsets}' end offsets only. */
    Map<Integer, Long> endOffsets(String topic) {
        Map<Integer, Long> out = new java.util.TreeMap<>();
        offsets(topic).forEach((p, o) -> out.put(p, o.end()));
        return out;
    }

    /** Every committed event of a dataset, counted by {@code event_id} (a count above 1 is a duplicate), read as ETL. */
    Map<String, Integer> landedEvents(io.securelake.envs.Dataset dataset) throws IOException {
        Map<String, Integer> seen = new HashMap<>();
        for (RawFile f : readRawZone(principal(ServiceRole.ETL), env.names().rawPath(dataset))) {
            for (GenericRecord r : f.records()) {
                seen.merge(r.get("event_id").toString(), 1, Integer::sum);
            }
        }
        return seen;
    }

    /** Sends {@code n} generated events, records their ids, and waits until Kafka has acknowledged every one. */
    static void sendAll(SecureProducer producer, EventGenerator events, int n, Set<String> ids) {
        List<CompletableFuture<IngestResult>> sent = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ObjectNode e = events.next();
            ids.add(e.get("event_id").asText());
            sent.add(producer.send(e));
        }
        sent.forEach(f -> assertThat(f.join()).isInstanceOf(IngestResult.Accepted.class));
    }

    /** The dataset's raw zone holds exactly {@code produced}: each event once, none missing, none extra. */
    Map<String, Integer> assertLandedExactlyOnce(io.securelake.envs.Dataset dataset, Set<String> produced)
            throws IOException {
        Map<String, Integer> seen = landedEvents(dataset);
        assertThat(seen.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList())
                .as("duplicated events").isEmpty();
        assertThat(seen.keySet()).as("landed events").hasSameSizeAs(produced).containsExactlyInAnyOrderElementsOf(produced);
        return seen;
    }

    /** Committed events of a dataset (duplicates included), or -1 while the raw zone cannot be read (for polling). */
    long landedCount(io.securelake.envs.Dataset dataset) {
        try {
            return countRaw(principal(ServiceRole.ETL), env.names().rawPath(dataset));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Counts visible records without keeping them (for polling). */
    long countRaw(String principal, String dir) throws IOException {
        return readRawZone(principal, dir).stream().mapToLong(f -> f.records().size()).sum();
    }

    @Override
    public void close() {
        stack.close();
    }
}
