package io.securelake.cli;

import io.securelake.audit.AuditQuery;
import io.securelake.audit.AuditRecord;
import io.securelake.audit.AuditSearch;
import io.securelake.audit.AuditVerifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "The environment's audit trail: every allow and deny, at every stage (kafka, hdfs, keys, …).",
        subcommands = {AuditCommand.Search.class, AuditCommand.Verify.class})
final class AuditCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** One hash-chained directory per stage under {@code .securelake/<env>/audit/}. */
    static List<Path> stageDirectories(Path auditRoot) {
        if (!Files.isDirectory(auditRoot)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(auditRoot)) {
            return dirs.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the audit trail in " + auditRoot, e);
        }
    }

    @Command(name = "search", mixinStandardHelpOptions = true, description = "Find audit records; newest last.")
    static final class Search implements Callable<Integer> {
        private final CliContext context;
        @Mixin
        EnvOption env;
        @Option(names = "--user", description = "Only this user (short name, e.g. alice).")
        String user;
        @Option(names = "--resource", description = "Resource contains this text, or starts with it when it ends in *.")
        String resource;
        @Option(names = "--result", description = "allowed or denied.")
        String result;
        @Option(names = "--stage", description = "kafka, hdfs, kms, …")
        String stage;
        @Option(names = "--since", description = "ISO instant (2026-11-25T10:00:00Z) or a duration back from now (30m, 2h, 1d).")
        String since;
        @Option(names = "--limit", defaultValue = "200", description = "At most this many records. Default: ${DEFAULT-VALUE}.")
        int limit;
        @Option(names = "--json", description = "One JSON object per line.")
        boolean json;

        Search(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            AuditQuery q = AuditQuery.all();
            if (user != null) {
                q = q.withUser(user);
            }
            if (resource != null) {
                q = q.withResource(resource);
            }
            if (result != null) {
                q = q.withResult(AuditRecord.Result.valueOf(result.toUpperCase(java.util.Locale.ROOT)));
            }
            if (stage != null) {
                q = q.withStage(stage);
            }
            if (since != null) {
                q = q.withSince(instant(since));
            }
            List<AuditRecord> found = new ArrayList<>();
            for (Path dir : stageDirectories(context.home(env.name).auditDir())) {
                found.addAll(AuditSearch.in(dir).find(q));
            }
            found.sort(Comparator.comparing(AuditRecord::time));
            List<AuditRecord> shown = found.subList(Math.max(0, found.size() - limit), found.size());
            System.out.print(json ? AuditSearch.json(shown) : AuditSearch.table(shown));
            if (!json) {
                System.out.println(shown.size() + " of " + found.size() + " matching record(s)");
            }
            return ExitCodes.OK;
        }

        static Instant instant(String text) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)([smhd])").matcher(text);
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                Duration d = switch (m.group(2)) {
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
                return Instant.now().minus(d);
            }
            return Instant.parse(text);
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check the hash chain of every stage's trail: reports the first tampered, missing or reordered line. Exit 1 if any.")
    static final class Verify implements Callable<Integer> {
        private final CliContext context;
        @Mixin
        EnvOption env;

        Verify(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            boolean intact = true;
            List<Path> dirs = stageDirectories(context.home(env.name).auditDir());
            for (Path dir : dirs) {
                AuditVerifier.Verification v = AuditVerifier.verify(dir);
                intact &= v.intact();
                System.out.println((v.intact() ? "intact   " : "TAMPERED ") + dir.getFileName() + ": " + v.files() + " file(s), "
                        + v.lines() + " record(s)" + v.problem().map(p -> " — " + p).orElse(", head " + v.headHash()));
            }
            if (dirs.isEmpty()) {
                System.out.println("no audit trail yet in " + context.home(env.name).auditDir());
            }
            return intact ? ExitCodes.OK : ExitCodes.FAILED;
        }
    }
}
