package io.securelake.ingest.schema;

import java.util.List;

/**
 * The verdict on a proposed schema version.
 *
 * @param problems empty when the candidate is accepted; otherwise every reason, each naming the version
 *                 it conflicts with
 */
public record CompatibilityReport(String dataset, int candidateVersion, List<Problem> problems) {

    public CompatibilityReport {
        problems = List.copyOf(problems);
    }

    public boolean compatible() {
        return problems.isEmpty();
    }

    /**
     * @param againstVersion the version in use that the candidate conflicts with
     * @param rule           which rule failed: {@code backward} (the candidate cannot read data written with
     *                       that version), {@code forward} (readers of that version cannot read the
     *                       candidate's data) or {@code classification}
     */
    public record Problem(int againstVersion, String rule, String reason) {
        @Override
        public String toString() {
            return "v" + againstVersion + " (" + rule + "): " + reason;
        }
    }

    public String describe() {
        if (compatible()) {
            return dataset + " v" + candidateVersion + " is compatible with every version in use";
        }
        StringBuilder sb = new StringBuilder(dataset + " v" + candidateVersion + " is incompatible:");
        for (Problem p : problems) {
            sb.append("\n  - ").append(p);
        }
        return sb.toString();
    }
}
