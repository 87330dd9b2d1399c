package io.securelake.cli;

import io.securelake.audit.JsonLinesAuditSink;
import io.securelake.contracts.CoreEndpoints;
import io.securelake.encryption.KeyAdministration.RewrapReport;
import io.securelake.envs.Environment;
import io.securelake.envs.Person;
import io.securelake.envs.Principals;
import io.securelake.envs.Role;
import io.securelake.operations.connect.StackHome;
import io.securelake.operations.keys.KeyActionRefusedException;
import io.securelake.operations.keys.KeyListing;
import io.securelake.operations.keys.KeyManagement;
import io.securelake.operations.keys.KeyOperator;
import io.securelake.operations.keys.LocalKeyStores;
import io.securelake.operations.keys.ShredResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code securelake keys}: the environment's key-encryption keys and the DEKs they wrap. */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = "Administer the environment's key-encryption keys (KEKs) in its KMS and the data keys (DEKs) they wrap. The KMS decides who may do what (its ACLs); every action, allowed or refused, is audited to .securelake/ENV/audit/keys/. Acts as the environment's first admin (local stack keytab) unless --principal/--keytab or --ticket-cache say otherwise.",
        subcommands = {KeysCommand.ListKeys.class, KeysCommand.Create.class, KeysCommand.Rotate.class,
                KeysCommand.Rewrap.class, KeysCommand.Shred.class})
public final class KeysCommand implements Runnable {
    private final CliContext context;

    @Spec
    CommandSpec spec;

    KeysCommand(CliContext context) {
        this.context = context;
    }

    /** For embedding and tests: definitions in {@code envsDir}, stack homes under {@code projectDir/.securelake}. */
    public KeysCommand(Path projectDir, Path envsDir) {
        this(new CliContext(projectDir.toAbsolutePath().normalize(), envsDir,
                projectDir.resolve("security-policies").resolve("policies")));
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Who acts: a keytab, a ticket cache, or by default the first admin's keytab of the local stack. */
    static final class Identity {
        @Option(names = "--principal", paramLabel = "PRINCIPAL",
                description = "Act as this principal (a short name gets the environment's realm); needs --keytab.")
        String principal;

        @Option(names = "--keytab", paramLabel = "KEYTAB", description = "The keytab to log in --principal from.")
        Path keytab;

        @Option(names = "--ticket-cache", arity = "0..1", fallbackValue = "", paramLabel = "CACHE",
                description = "Use the Kerberos ticket cache of a prior kinit (default: KRB5CCNAME or /tmp/krb5cc_UID).")
        String ticketCache;
    }

    /** What every subcommand shares: environment, identity, audit, error reporting. */
    abstract static class KeyAction implements Callable<Integer> {
        @ParentCommand
        KeysCommand parent;

        @Spec
        CommandSpec spec;

        @Mixin
        EnvOption env;

        @Mixin
        Identity identity;

        abstract void act(KeyManagement keys, PrintWriter out);

        @Override
        public Integer call() {
            CommandLine cli = spec.commandLine();
            Environment environment = parent.context.environment(env.name);
            StackHome home = parent.context.home(env.name);
            Optional<CoreEndpoints> endpoints = endpoints(environment, cli.getErr());
            if (endpoints.isEmpty()) {
                return environment.kerberos().embedded() ? ExitCodes.NOT_RUNNING : ExitCodes.FAILED;
            }
            KeyOperator operator;
            try {
                operator = operator(environment, endpoints.get());
            } catch (IllegalArgumentException e) {
                cli.getErr().println("securelake keys " + spec.name() + ": " + e.getMessage());
                return ExitCodes.USAGE;
            }
            // The CLI's choice for this JVM, before KeyManagement creates the stack's clients (which check it).
            CliContext.useKrb5ConfOf(endpoints.get());
            try (JsonLinesAuditSink audit = new JsonLinesAuditSink(LocalKeyStores.keyAuditDirectory(home));
                 KeyManagement keys = new KeyManagement(environment, home, endpoints.get(), operator, audit,
                         Clock.systemUTC())) {
                act(keys, cli.getOut());
                cli.getOut().flush();
                return ExitCodes.OK;
            } catch (KeyActionRefusedException e) {
                cli.getErr().println("securelake keys " + spec.name() + " " + e.keyName() + ": " + e.getMessage());
                cli.getErr().flush();
                return ExitCodes.FAILED;
            }
        }

        /** The local stack's endpoints (its KMS); for real clusters, the definition must name a KMS. */
        private Optional<CoreEndpoints> endpoints(Environment environment, PrintWriter err) {
            if (!environment.kerberos().embedded()) {
                // Environment definitions do not carry a key provider URI yet, so there is nothing to act on.
                err.println("securelake keys: environment " + environment.name() + " (" + environment.source()
                        + ") runs on real clusters and its definition configures no key provider (the kms:// URI of its"
                        + " Hadoop or Ranger KMS); 'securelake keys' can only administer the embedded stack's KMS there.");
                return Optional.empty();
            }
            Optional<CoreEndpoints> e = parent.context.launcher(environment.name()).readEndpoints()
                    .filter(found -> ProcessHandle.of(found.pid()).map(ProcessHandle::isAlive).orElse(false));
            if (e.isEmpty()) {
                err.println("securelake keys: the " + environment.name() + " stack is not running, so its KMS is"
                        + " unreachable: start it with 'bin/securelake up --env " + environment.name() + "'.");
            } else if (e.get().kmsUri() == null) {
                err.println("securelake keys: the running " + environment.name() + " stack has no KMS (started by an"
                        + " older version?): restart it with 'securelake down' and 'securelake up'.");
                return Optional.empty();
            }
            return e;
        }

        private KeyOperator operator(Environment environment, CoreEndpoints e) {
            if ((identity.principal == null) != (identity.keytab == null)) {
                throw new IllegalArgumentException("--principal and --keytab go together");
            }
            if (identity.principal != null && identity.ticketCache != null) {
                throw new IllegalArgumentException("choose either --principal/--keytab or --ticket-cache, not both");
            }
            if (identity.principal != null) {
                String p = identity.principal;
                return new KeyOperator.Keytab(Principals.qualify(p, e.realm()), identity.keytab);
            }
            if (identity.ticketCache != null) {
                return new KeyOperator.TicketCache(identity.ticketCache.isEmpty() ? null : Path.of(identity.ticketCache));
            }
            List<Person> admins = environment.peopleWithRole(Role.ADMIN);
            if (admins.isEmpty()) {
                throw new IllegalArgumentException("environment " + environment.name()
                        + " defines no admin: pass --principal and --keytab, or --ticket-cache");
            }
            String principal = environment.names().personPrincipal(admins.get(0));
            String qualified = Principals.qualify(principal, e.realm());
            String keytab = e.keytabs().get(qualified);
            if (keytab == null) {
                throw new IllegalArgumentException("the " + environment.name() + " stack has no keytab for "
                        + qualified + ": pass --principal and --keytab, or --ticket-cache");
            }
            return new KeyOperator.Keytab(qualified, Path.of(keytab));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the KEKs with their versions and metadata (never key material) and the DEKs stored under each.")
    static final class ListKeys extends KeyAction {
        @Override
        void act(KeyManagement keys, PrintWriter out) {
            List<KeyListing> all = keys.list();
            out.printf("%-32s %-36s %8s %-18s %5s %9s %9s %7s  %s%n", "KEK", "CURRENT VERSION", "VERSIONS", "CIPHER",
                    "BITS", "DEKS", "SHREDDED", "STALE", "CREATED / DESCRIPTION");
            for (KeyListing k : all) {
                out.printf("%-32s %-36s %8d %-18s %5d %9d %9d %7d  %s%n", k.kek().name(), k.kek().currentVersion(),
                        k.kek().versions(), k.kek().cipher(), k.kek().bitLength(), k.liveDeks(), k.shreddedDeks(),
                        k.staleDeks(), k.kek().created() + (k.kek().description() == null ? "" : " " + k.kek().description()));
            }
            out.println(all.size() + " keys. DEKS counts subject keys and the wrapping keys they are sealed under."
                    + " STALE: DEKs wrapped by an older version ('keys rewrap NAME' moves them).");
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a 256-bit AES KEK named ENV.DATASET in the environment's KMS.")
    static final class Create extends KeyAction {
        @Parameters(paramLabel = "NAME", description = "e.g. dev.payments")
        String name;

        @Override
        void act(KeyManagement keys, PrintWriter out) {
            out.println("created " + name + ": current version " + keys.create(name));
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = "Roll the KEK to a new version: new DEKs are wrapped by it; existing data keeps decrypting. Writers in other processes switch at their next DEK rotation. Follow with 'keys rewrap NAME'.")
    static final class Rotate extends KeyAction {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        void act(KeyManagement keys, PrintWriter out) {
            out.println("rotated " + name + ": current version " + keys.rotate(name));
        }
    }

    @Command(name = "rewrap", mixinStandardHelpOptions = true,
            description = "Re-wrap every stored DEK of the KEK under its current version through the KMS (no key material leaves the KMS, data files are untouched); afterwards old KEK versions are no longer needed.")
    static final class Rewrap extends KeyAction {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        void act(KeyManagement keys, PrintWriter out) {
            RewrapReport r = keys.rewrap(name);
            out.println("re-wrapped " + name + " under " + r.currentVersionName() + ": " + r.rewrapped() + " moved, "
                    + r.unchanged() + " already current, " + r.destroyed() + " shredded (skipped), " + r.sealed()
                    + " subject keys sealed under wrapping keys (they move with them)");
        }
    }

    @Command(name = "shred", mixinStandardHelpOptions = true,
            description = "Crypto-shred one data subject: destroy the subject's DEK under the KEK, so exactly that subject's fields become unreadable everywhere (running processes as soon as the key registry tells them, within a second; see docs/KEYS.md).")
    static final class Shred extends KeyAction {
        @Option(names = "--subject", required = true, paramLabel = "ID", description = "The data subject's id, e.g. a customer id.")
        String subject;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        void act(KeyManagement keys, PrintWriter out) {
            ShredResult r = keys.shred(name, subject);
            out.println(r.destroyed()
                    ? "shredded " + r.subjectRef() + " under " + name + ": its DEK is destroyed; its fields can never be decrypted again"
                    : "nothing to shred: no live DEK for " + r.subjectRef() + " under " + name
                    + " (nothing was encrypted for this subject, or it was shredded before)");
        }
    }
}
