package io.securelake.policies.tools;

import io.securelake.audit.AuditRecord;
import io.securelake.audit.AuditSink;
import io.securelake.envs.Environment;
import io.securelake.envs.RangerServiceType;
import io.securelake.policies.api.AccessDecision;
import io.securelake.policies.api.AccessRequest;
import io.securelake.policies.api.MaskDecision;
import io.securelake.policies.api.RowFilterDecision;
import io.securelake.policies.engine.EnvironmentGroups;
import io.securelake.policies.engine.PolicyFiles;
import io.securelake.policies.engine.PolicyStore;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * {@code policy test}: evaluates every row of an environment's expected-decision table with Ranger's
 * engine over the environment's policy files and reports expected versus actual, with the deciding policy.
 */
public final class PolicyTester {

    public record Result(ExpectedDecisions.Row row, String actual, String policy, boolean pass) {
        @Override
        public String toString() {
            return (pass ? "PASS " : "FAIL ") + "line " + row.line() + ": " + row.service().serviceDefName() + " "
                    + row.user() + " " + row.access() + " " + row.resourceString() + " expected " + row.expected()
                    + ", engine decided " + actual + " (" + (policy == null ? "no policy matched" : "policy " + policy) + ")";
        }
    }

    public record Report(Path table, List<Result> results) {
        public boolean passed() {
            return results.stream().allMatch(Result::pass);
        }

        public List<Result> failures() {
            return results.stream().filter(r -> !r.pass()).toList();
        }
    }

    private PolicyTester() {
    }

    public static Report run(Environment env, Path policiesRoot) {
        return run(env, policiesRoot, PolicyFiles.expectedDecisions(policiesRoot, env.name()));
    }

    public static Report run(Environment env, Path policiesRoot, Path table) {
        List<ExpectedDecisions.Row> rows = ExpectedDecisions.read(table);
        EnvironmentGroups groups = new EnvironmentGroups(env);
        Map<RangerServiceType, PolicyStore> stores = new EnumMap<>(RangerServiceType.class);
        try {
            List<Result> results = new ArrayList<>();
            for (ExpectedDecisions.Row row : rows) {
                PolicyStore store = stores.computeIfAbsent(row.service(), t -> PolicyStore.open(
                        PolicyStore.Config.of(env, t, policiesRoot, NO_AUDIT).withWatch(false)));
                AccessRequest req = AccessRequest.of(row.service(), row.user(), groups.groupsOf(row.user()),
                        row.resource(), row.access());
                results.add(evaluate(store, row, req));
            }
            return new Report(table, results);
        } finally {
            stores.values().forEach(PolicyStore::close);
        }
    }

    private static Result evaluate(PolicyStore store, ExpectedDecisions.Row row, AccessRequest req) {
        String expected = row.expected();
        if (expected.startsWith("mask:")) {
            MaskDecision m = store.mask(req);
            String actual = "mask:" + m.maskType().orElse("none");
            return new Result(row, actual, m.policy().orElse(null), actual.equals(expected));
        }
        if (expected.startsWith("rowfilter:")) {
            RowFilterDecision f = store.rowFilter(req);
            String actual = "rowfilter:" + f.filter().orElse("none");
            return new Result(row, actual, f.policy().orElse(null), actual.equals(expected));
        }
        AccessDecision d = store.evaluateUnaudited(req);
        String actual = d.allowed() ? "allow" : "deny";
        return new Result(row, actual, d.policy().orElse(null), actual.equals(expected));
    }

    /** The tester asks what-if questions; they are not accesses and are not audited. */
    private static final AuditSink NO_AUDIT = new AuditSink() {
        @Override
        public void write(AuditRecord record) {
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
}
