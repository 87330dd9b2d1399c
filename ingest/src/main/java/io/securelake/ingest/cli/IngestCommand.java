package io.securelake.ingest.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.audit.AuditSink;
import io.securelake.envs.Environment;
import io.securelake.ingest.generate.EventGenerator;
import io.securelake.ingest.producer.IngestConfig;
import io.securelake.ingest.producer.IngestResult;
import io.securelake.ingest.producer.SecureProducer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code securelake ingest --env dev --dataset payments (--file events.jsonl | --generate N)}: sends events
 * through the {@link SecureProducer} with a progress bar and a summary. The platform registers it and
 * supplies a {@link Context} (how to reach the environment's services as its ingest principal).
 * Exit codes: 0 every event accepted or dead-lettered (the summary lists rejections), 1 some events could not
 * be delivered at all, 2 usage.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Validate, encrypt and send events of a dataset to its raw topic; invalid events go to "
                + "the dead-letter topic with their reason.")
public final class IngestCommand implements Callable<Integer> {

    /** What the command needs from the platform. */
    public interface Context {
        /** The validated environment definition. */
        Environment environment(String name);

        /** Producer configuration for the environment's ingest principal (endpoints, keytab, keys, schemas). */
        IngestConfig ingestConfig(Environment env, String dataset);

        /** Where rejection audit records go. */
        AuditSink auditSink(Environment env);

        /**
         * The KEK provider to use (e.g. the environment's KMS, acting as the ingest principal), closed by the command when
         * it ends; null: from the config.
         */
        default io.securelake.encryption.KekProvider kekProvider(Environment env) {
            return null;
        }

        /** The environment's key registry, closed by the command when it ends; null: from the config. */
        default io.securelake.encryption.DekRepository dekRepository(Environment env) {
            return null;
        }

        default PrintStream out() {
            return System.out;
        }

        default PrintStream err() {
            return System.err;
        }
    }

    static final class Source {
        @Option(names = "--file", paramLabel = "FILE", description = "JSON lines file, one event per line ('-' for stdin).")
        Path file;

        @Option(names = "--generate", paramLabel = "N", description = "Send N realistic synthetic events.")
        Long generate;
    }

    @Option(names = "--env", defaultValue = "dev", description = "Environment (default: ${DEFAULT-VALUE}).")
    String env;

    @Option(names = "--dataset", required = true, description = "Dataset, e.g. payments or customer_preferences.")
    String dataset;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the generator (same seed, same events).")
    long seed;

    @Option(names = "--customers", defaultValue = "1000", description = "Customer population of the generator.")
    int customers;

    @Option(names = "--no-progress", description = "No progress bar (e.g. in scripts).")
    boolean noProgress;

    @Option(names = "--threads", defaultValue = "4", description = "Sending threads (default: ${DEFAULT-VALUE}). "
            + "Events with the same key are sent by the same thread, in order; a new customer's first event waits "
            + "for its key from the key service, and other threads send meanwhile.")
    int threads;


    private final Context context;

    public IngestCommand(Context context) {
        this.context = Objects.requireNonNull(context, "context");
    }

    /** Up to this many rejections are listed in the summary; all are on the dead-letter topic. */
    static final int LISTED_REJECTIONS = 20;

    @Override
    public Integer call() throws Exception {
        PrintStream out = context.out();
        PrintStream err = context.err();
        if (source.generate != null && source.generate < 1) {
            err.println("--generate needs a positive count");
            return 2;
        }
        if (threads < 1 || threads > 64) {
            err.println("--threads must be between 1 and 64");
            return 2;
        }
        Environment environment = context.environment(env);
        AtomicLong done = new AtomicLong();
        List<String> rejections = Collections.synchronizedList(new ArrayList<>());
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        long started = System.nanoTime();
        Progress progress = new Progress(err, !noProgress);
        // The key provider and registry are the command's (the producer borrows them): closed after the producer.
        try (AuditSink audit = context.auditSink(environment);
             io.securelake.encryption.KekProvider keys = context.kekProvider(environment);
             io.securelake.encryption.DekRepository deks = context.dekRepository(environment);
             SecureProducer producer = SecureProducer.open(context.ingestConfig(environment, dataset), environment, audit,
                     keys, deks)) {
            String keyPointer = "/" + producer.schema().keyField().replace('.', '/');
            try (KeyedLanes lanes = new KeyedLanes(threads, 1_000, "ingest-sender")) {
                if (source.generate != null) {
                    EventGenerator gen = EventGenerator.of(dataset, seed, customers, Instant.now().minusSeconds(3600),
                            java.time.Duration.ofHours(1));
                    long total = source.generate;
                    for (long i = 1; i <= total; i++) {
                        ObjectNode event = gen.next();
                        long item = i;
                        lanes.submit(keyOf(event, keyPointer), () -> send(producer, event, null, item, done, rejections, failures));
                        progress.show(i * 1.0 / total, done.get(), producer, started);
                    }
                } else {
                    long size = source.file.toString().equals("-") ? -1 : Files.size(source.file);
                    try (InputStream raw = source.file.toString().equals("-") ? System.in : Files.newInputStream(source.file);
                         CountingStream counting = new CountingStream(raw);
                         BufferedReader reader = new BufferedReader(new InputStreamReader(counting, StandardCharsets.UTF_8))) {
                        String line;
                        long lineNo = 0;
                        while ((line = reader.readLine()) != null) {
                            lineNo++;
                            if (line.isBlank()) {
                                continue;
                            }
                            ObjectNode event = SecureProducer.parseEvent(line);
                            String notAnObject = event == null ? line : null; // the producer dead-letters it
                            long item = lineNo;
                            lanes.submit(event == null ? null : keyOf(event, keyPointer),
                                    () -> send(producer, event, notAnObject, item, done, rejections, failures));
                            progress.show(size > 0 ? counting.count * 1.0 / size : -1, done.get(), producer, started);
                        }
                    }
                }
            }
            producer.flush();
            progress.finish();
            var stats = producer.stats();
            double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
            out.printf("sent %,d, dead-lettered %,d, failed %,d in %.1f s (%,.0f events/s) to %s%n", stats.accepted(),
                    stats.deadLettered(), stats.failed(), seconds, (stats.accepted() + stats.deadLettered()) / seconds,
                    producer.rawTopic());
            if (!rejections.isEmpty()) {
                out.println("rejected (kept on " + producer.deadLetterTopic() + " with an audit record):");
                rejections.stream().sorted().limit(LISTED_REJECTIONS).forEach(r -> out.println("  " + r));
                if (rejections.size() > LISTED_REJECTIONS) {
                    out.println("  … and " + (rejections.size() - LISTED_REJECTIONS) + " more");
                }
            }
            if (!failures.isEmpty()) {
                err.println("not delivered:");
                failures.stream().limit(LISTED_REJECTIONS).forEach(f -> err.println("  " + f));
                return 1;
            }
            return 0;
        }
    }

    private static Object keyOf(ObjectNode event, String keyPointer) {
        com.fasterxml.jackson.databind.JsonNode key = event.at(keyPointer);
        return key.isMissingNode() || key.isNull() ? null : key.asText();
    }

    /** On a sending lane: the parsed event, or the raw line that is not a JSON object. */
    private static void send(SecureProducer producer, ObjectNode event, String raw, long item, AtomicLong done,
                             List<String> rejections, List<String> failures) {
        CompletableFuture<IngestResult> f;
        try {
            f = event != null ? producer.send(event) : producer.sendJson(raw);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        track(f, item, done, rejections, failures);
    }

    private static void track(CompletableFuture<IngestResult> f, long item, AtomicLong done, List<String> rejections,
                              List<String> failures) {
        f.whenComplete((result, error) -> {
            done.incrementAndGet();
            if (error != null) {
                // The producer's own failure (an IngestException) says what happened; only a wrapper is peeled.
                Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                failures.add("#" + item + ": " + cause.getMessage());
            } else if (result instanceof IngestResult.DeadLettered d) {
                rejections.add(String.format("#%d: %s", item, d.reason()));
            }
        });
    }

    /** A one-line progress bar on stderr, redrawn at most five times a second. */
    static final class Progress {
        private final PrintStream err;
        private final boolean enabled;
        private long lastDraw;

        Progress(PrintStream err, boolean enabled) {
            this.err = err;
            this.enabled = enabled;
        }

        void show(double fraction, long done, SecureProducer producer, long started) {
            long now = System.nanoTime();
            if (!enabled || now - lastDraw < 200_000_000L) {
                return;
            }
            lastDraw = now;
            double rate = done / Math.max(1e-3, (now - started) / 1e9);
            var s = producer.stats();
            String bar = "";
            if (fraction >= 0) {
                int filled = (int) Math.round(Math.min(1, fraction) * 30);
                bar = "[" + "#".repeat(filled) + ".".repeat(30 - filled) + String.format("] %3.0f%% ", fraction * 100);
            }
            err.printf("\r%s%,d done  %,.0f ev/s  dead-lettered %,d  failed %,d   ", bar, done, rate, s.deadLettered(), s.failed());
            err.flush();
        }

        void finish() {
            if (enabled && lastDraw != 0) {
                err.println();
            }
        }
    }

    private static final class CountingStream extends java.io.FilterInputStream {
        volatile long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
