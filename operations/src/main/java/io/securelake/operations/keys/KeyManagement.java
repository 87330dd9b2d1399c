package io.securelake.operations.keys;

import io.securelake.audit.AuditRecord;
import io.securelake.audit.AuditSink;
import io.securelake.contracts.CoreEndpoints;
import io.securelake.encryption.DekRepository;
import io.securelake.encryption.FieldEncryption;
import io.securelake.encryption.KeyAccessDeniedException;
import io.securelake.encryption.KeyAdministration;
import io.securelake.encryption.KeyAdministration.RewrapReport;
import io.securelake.encryption.StoredDek;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentNames;
import io.securelake.operations.UserFacingErrors;
import io.securelake.operations.connect.KmsClients;
import io.securelake.operations.connect.StackClients;
import io.securelake.operations.connect.StackHome;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.security.UserGroupInformation;

/**
 * Key administration of one environment as one operator: list, create, rotate (roll), re-wrap and
 * crypto-shred, against the environment's KMS and its DEK repository. The KMS decides what the operator
 * may do (its ACLs); this class adds the platform's own rules (a key belongs to this environment) and
 * writes one audit record per action, allowed or not, before returning.
 */
public final class KeyManagement implements AutoCloseable {
    /** The part after {@code <env>.}: lower case because the KMS key store ignores case. */
    private static final Pattern DATASET_PART = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,199}");
    static final String STAGE = "kms";

    private final Environment env;
    private final StackHome home;
    private final CoreEndpoints endpoints;
    private final KeyOperator operator;
    private final AuditSink audit;
    private final Clock clock;
    private final String requestId = UUID.randomUUID().toString();
    private Session session;

    /** The operator's KMS and, opened when an action first needs it, the environment's key registry. */
    private static final class Session {
        private final UserGroupInformation user;
        private final KmsKekProvider kms;
        private final java.util.function.Supplier<DekRepository> openRegistry;
        private DekRepository deks;

        Session(UserGroupInformation user, KmsKekProvider kms, java.util.function.Supplier<DekRepository> openRegistry) {
            this.user = user;
            this.kms = kms;
            this.openRegistry = openRegistry;
        }

        UserGroupInformation user() {
            return user;
        }

        KmsKekProvider kms() {
            return kms;
        }

        /** Creating or rotating a KEK needs only the KMS: the registry is opened by the actions that read or change it. */
        DekRepository deks() {
            if (deks == null) {
                deks = openRegistry.get();
            }
            return deks;
        }

        void close() {
            kms.close();
            if (deks != null) {
                deks.close();
            }
        }
    }

    public KeyManagement(Environment env, StackHome home, CoreEndpoints endpoints, KeyOperator operator,
                         AuditSink audit, Clock clock) {
        this.env = Objects.requireNonNull(env, "env");
        this.home = Objects.requireNonNull(home, "home");
        this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
        this.operator = Objects.requireNonNull(operator, "operator");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public List<KeyListing> list() {
        return run("list", "*", s -> {
            List<KeyListing> out = new ArrayList<>();
            for (KekDescription kek : s.kms().describeAll()) {
                int live = 0;
                int shredded = 0;
                int stale = 0;
                for (StoredDek dek : s.deks().list(kek.name())) {
                    if (dek.destroyed()) {
                        shredded++;
                    } else {
                        live++;
                        // Stale: wrapped by an older KEK version. Subject keys sealed under a wrapping key follow it.
                        if (dek.wrappedByKms() && !dek.wrapped().kekVersionName().equals(kek.currentVersion())) {
                            stale++;
                        }
                    }
                }
                out.add(new KeyListing(kek, live, shredded, stale));
            }
            return new Outcome<>(out, out.size() + " keys listed");
        });
    }

    /** Creates a 256-bit KEK {@code <env>.<dataset>}; returns its first version name. */
    public String create(String kekName) {
        return run("create", kekName, s -> {
            String version = s.kms().createKek(kekName);
            return new Outcome<>(version, "created " + version);
        });
    }

    /** Rolls the KEK: new DEKs are wrapped by the new version; old data keeps decrypting. */
    public String rotate(String kekName) {
        return run("rotate", kekName, s -> {
            String version = s.kms().rollKek(kekName);
            return new Outcome<>(version, "new current version " + version);
        });
    }

    /** Re-wraps every stored DEK of the KEK under its current version through the KMS; data is untouched. */
    public RewrapReport rewrap(String kekName) {
        return run("rewrap", kekName, s -> {
            RewrapReport r = administration(s).rewrap(kekName);
            return new Outcome<>(r, "re-wrapped " + r.rewrapped() + " DEKs under " + r.currentVersionName()
                    + " (" + r.unchanged() + " already current, " + r.destroyed() + " shredded, " + r.sealed()
                    + " sealed under wrapping keys)");
        });
    }

    /**
     * Destroys one data subject's DEK under the KEK. The KMS knows nothing of single DEKs, so it is asked
     * first to prove the operator may manage the KEK (the right a rotation needs).
     */
    public ShredResult shred(String kekName, String subjectId) {
        if (subjectId == null || subjectId.isBlank()) {
            throw new IllegalArgumentException("a subject id is required (--subject ID)");
        }
        String ref = FieldEncryption.subjectKeyReference(kekName, subjectId);
        return run("shred", kekName, s -> {
            s.kms().requireManagement(kekName);
            boolean destroyed = administration(s).shredSubject(kekName, subjectId);
            return new Outcome<>(new ShredResult(kekName, ref, destroyed), destroyed
                    ? "destroyed the DEK of " + ref + ": its fields are unreadable for good"
                    : "no live DEK for " + ref + " (nothing encrypted for it, or already shredded): nothing destroyed");
        });
    }

    @Override
    public void close() {
        if (session != null) {
            session.close();
        }
    }

    private KeyAdministration administration(Session s) {
        return FieldEncryption.keyAdministration(s.kms(), s.deks(), clock);
    }

    private record Outcome<T>(T value, String reason) {
    }

    private <T> T run(String action, String kekName, Function<Session, Outcome<T>> body) {
        if (!"*".equals(kekName)) {
            String problem = nameProblem(kekName);
            if (problem != null) {
                throw refused(action, kekName, operator.claimedName(), List.of(), problem, null);
            }
        }
        Session s;
        try {
            s = session();
        } catch (RuntimeException e) {
            throw refused(action, kekName, operator.claimedName(), List.of(),
                    "Kerberos login of " + operator.claimedName() + " failed: " + UserFacingErrors.explain(e), e);
        }
        String user = s.user().getShortUserName();
        List<String> groups = Arrays.asList(s.user().getGroupNames());
        Outcome<T> outcome;
        try {
            outcome = body.apply(s);
        } catch (KeyAccessDeniedException e) {
            boolean registry = e.keyName().equals(env.names().keyRegistryTopic())
                    || e.keyName().equals(env.names().keyChangesTopic());
            throw refused(action, kekName, user, groups, registry
                    ? "the key registry refused " + user + " (" + action + " " + kekName + "): " + e.getMessage()
                    : "the KMS refused " + user + " (" + action + " " + kekName + "): " + kmsVerdict(e), e);
        } catch (RuntimeException e) {
            String reason = UserFacingErrors.explain(e);
            record(action, kekName, user, groups, AuditRecord.Result.DENIED, "failed: " + reason);
            throw new KeyActionRefusedException(action, kekName, action + " " + kekName + " failed: " + reason, e);
        }
        record(action, kekName, user, groups, AuditRecord.Result.ALLOWED, outcome.reason());
        return outcome.value();
    }

    /** The KMS's own words ("User:alice not allowed to do 'CREATE_KEY' on 'dev.x'"), without client wrapping. */
    private static String kmsVerdict(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.apache.hadoop.security.AccessControlException) {
                return KmsKekProvider.firstLine(t.getMessage());
            }
        }
        return KmsKekProvider.firstLine(e.getMessage());
    }

    /** Why {@code kekName} is not a key this environment may have, or null. */
    String nameProblem(String kekName) {
        String prefix = env.name() + ".";
        if (kekName == null || !kekName.startsWith(prefix)) {
            return "'" + kekName + "' is not a key of environment " + env.name() + ": its keys are named "
                    + prefix + "<dataset> (each environment has its own KMS and keys)";
        }
        if (!DATASET_PART.matcher(kekName.substring(prefix.length())).matches()) {
            return "'" + kekName + "' is not a valid key name: after '" + prefix + "' use " + DATASET_PART.pattern();
        }
        return null;
    }

    private KeyActionRefusedException refused(String action, String kekName, String user, List<String> groups,
                                              String reason, Throwable cause) {
        record(action, kekName, user, groups, AuditRecord.Result.DENIED, reason);
        return new KeyActionRefusedException(action, kekName, "refused: " + reason, cause);
    }

    private void record(String action, String kekName, String user, List<String> groups, AuditRecord.Result result,
                        String reason) {
        // Short names, as Kafka and HDFS record them, so that one search finds a user across stages.
        audit.write(new AuditRecord(clock.instant(), env.name(), STAGE, STAGE, EnvironmentNames.shortName(user), groups, null,
                "keyname=" + kekName, action, result, null, reason, requestId));
        audit.flush(); // the record is durable before the caller hears the outcome
    }

    private Session session() {
        if (session == null) {
            StackClients clients = new StackClients(env, endpoints);
            Configuration conf = clients.hdfsConfiguration();
            UserGroupInformation user = operator.login(conf);
            Configuration kmsConf = KmsClients.clientConfiguration(conf, Path.of(endpoints.truststore()),
                    endpoints.truststorePassword());
            KmsKekProvider kms = KmsKekProvider.open(LocalKeyStores.kmsUri(endpoints), kmsConf, user);
            session = new Session(user, kms, () -> LocalKeyStores.dekRepository(env, home,
                    user.getShortUserName(), operator.kafkaProperties(clients.kafka())));
        }
        return session;
    }
}
