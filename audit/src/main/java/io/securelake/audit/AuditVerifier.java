package io.securelake.audit;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Checks the hash chain of a trail written by {@link JsonLinesAuditSink}: every line parses, its
 * {@code seq} follows the previous one, its {@code prev} is the previous line's hash (across day files)
 * and its {@code hash} matches its content. Reports the first break with file and line number.
 * A truncated tail of the newest file cannot be detected from the files alone: keep
 * {@link Verification#headHash()} elsewhere (e.g. in a report) to anchor it.
 */
public final class AuditVerifier {

    public enum ProblemKind { UNREADABLE, MALFORMED, OUT_OF_SEQUENCE, BROKEN_CHAIN, TAMPERED }

    /** Where the chain breaks. {@code line} is 1-based. */
    public record Problem(Path file, long line, ProblemKind kind, String detail) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + kind + ": " + detail;
        }
    }

    /** Outcome: intact, or the first problem. {@code headHash} is the hash of the last verified line. */
    public record Verification(int files, long lines, String headHash, Optional<Problem> problem) {
        public boolean intact() {
            return problem.isEmpty();
        }
    }

    private AuditVerifier() {
    }

    public static Verification verify(Path directory) {
        List<Path> files;
        try (Stream<Path> list = Files.list(directory)) {
            files = list.filter(p -> JsonLinesAuditSink.FILE_NAME.matcher(p.getFileName().toString()).matches())
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list audit trail " + directory, e);
        }
        String prev = HashChain.GENESIS;
        long total = 0;
        int checkedFiles = 0;
        for (Path file : files) {
            checkedFiles++;
            long lineNo = 0;
            try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String text;
                while ((text = in.readLine()) != null) {
                    lineNo++;
                    JsonNode node;
                    try {
                        node = AuditJson.MAPPER.readTree(text);
                    } catch (IOException e) {
                        return broken(checkedFiles, total, prev, file, lineNo, ProblemKind.MALFORMED,
                                "not a JSON line: " + e.getMessage().lines().findFirst().orElse(""));
                    }
                    if (node == null || !node.hasNonNull("seq") || !node.hasNonNull("prev")
                            || !node.hasNonNull("hash") || !node.hasNonNull("record")) {
                        return broken(checkedFiles, total, prev, file, lineNo, ProblemKind.MALFORMED,
                                "missing seq, prev, hash or record");
                    }
                    long seq = node.get("seq").asLong();
                    if (seq != lineNo) {
                        return broken(checkedFiles, total, prev, file, lineNo, ProblemKind.OUT_OF_SEQUENCE,
                                "expected seq " + lineNo + " but found " + seq + " (a line was removed, inserted or moved)");
                    }
                    String claimedPrev = node.get("prev").asText();
                    if (!claimedPrev.equals(prev)) {
                        return broken(checkedFiles, total, prev, file, lineNo, ProblemKind.BROKEN_CHAIN,
                                "prev " + shortHash(claimedPrev) + " does not match the previous line's hash "
                                        + shortHash(prev) + (lineNo == 1 ? " (a file before this one is missing or altered)" : ""));
                    }
                    String actual = HashChain.hash(claimedPrev, seq, HashChain.canonical(node.get("record")));
                    if (!actual.equals(node.get("hash").asText())) {
                        return broken(checkedFiles, total, prev, file, lineNo, ProblemKind.TAMPERED,
                                "content does not match its hash (the record was edited)");
                    }
                    prev = actual;
                    total++;
                }
            } catch (IOException e) {
                return broken(checkedFiles, total, prev, file, lineNo, ProblemKind.UNREADABLE, e.getMessage());
            }
        }
        return new Verification(checkedFiles, total, prev, Optional.empty());
    }

    private static Verification broken(int files, long lines, String head, Path file, long line,
                                       ProblemKind kind, String detail) {
        return new Verification(files, lines, head, Optional.of(new Problem(file, line, kind, detail)));
    }

    private static String shortHash(String h) {
        return h.length() > 12 ? h.substring(0, 12) + "…" : h;
    }
}
