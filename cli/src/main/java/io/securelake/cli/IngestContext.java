package io.securelake.cli;

import io.securelake.audit.AuditSink;
import io.securelake.audit.JsonLinesAuditSink;
import io.securelake.contracts.CoreEndpoints;
import io.securelake.contracts.supervision.CoreComponent;
import io.securelake.encryption.DekRepository;
import io.securelake.encryption.KekProvider;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentNames;
import io.securelake.envs.ServiceRole;
import io.securelake.ingest.cli.IngestCommand;
import io.securelake.ingest.producer.IngestConfig;
import io.securelake.ingest.producer.KerberosCredentials;
import io.securelake.ingest.schema.SchemaCatalog;
import io.securelake.operations.connect.StackClients;
import io.securelake.operations.connect.StackHome;
import io.securelake.operations.keys.LocalKeyStores;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What {@code securelake ingest} needs from the running local stack: the ingest principal's keytab,
 * Kafka, the environment's KMS and data-key store, and the audit trail (stage {@code ingest}).
 */
record IngestContext(CliContext cli) implements IngestCommand.Context {

    @Override
    public Environment environment(String name) {
        return cli.environment(name);
    }

    /**
     * The running core's endpoints. A producer needs the KDC and the broker: while its supervisor restarts one of
     * them, the producer is told which one, not sent to a dead port. (A KMS that is down is waited for, within the
     * producer's bound, by the key provider; HDFS is not the producer's business.)
     */
    private CoreEndpoints endpoints(Environment env) {
        var launcher = cli.launcher(env.name());
        var status = launcher.status();
        java.util.Set<CoreComponent> needed = java.util.Set.of(CoreComponent.KDC, CoreComponent.KAFKA);
        if (status.endpoints().isEmpty() || status.notRunning(needed).isPresent()) {
            throw new IllegalStateException(status.coreUnavailable("stack", needed));
        }
        return status.endpoints().get();
    }

    private StackClients clients(Environment env) {
        CoreEndpoints e = endpoints(env);
        CliContext.useKrb5ConfOf(e); // the CLI's choice for this JVM, before the stack's clients (which check it)
        return new StackClients(env, e);
    }

    private String ingestPrincipal(Environment env) {
        return env.names().servicePrincipal(ServiceRole.INGEST);
    }

    @Override
    public IngestConfig ingestConfig(Environment env, String dataset) {
        CoreEndpoints e = endpoints(env);
        StackClients c = clients(env);
        String p = ingestPrincipal(env);
        return new IngestConfig(env.name(), dataset, e.kafkaBootstrap(), Path.of(e.caPem()), Optional.of(Path.of(e.krb5Conf())),
                new KerberosCredentials.Keytab(c.qualify(p), c.keytab(p)), true, Optional.empty(), Optional.empty(),
                SchemaCatalog.besideEnvironments(cli.envsDir()), IngestConfig.ProducerTuning.defaults());
    }

    @Override
    public KekProvider kekProvider(Environment env) {
        StackClients c = clients(env);
        return LocalKeyStores.kekProvider(endpoints(env), c.hdfsLogin(c.hdfsConfiguration(), ingestPrincipal(env)));
    }

    @Override
    public DekRepository dekRepository(Environment env) {
        return LocalKeyStores.dekRepository(env, home(env), EnvironmentNames.shortName(ingestPrincipal(env)),
                clients(env).kafkaProperties(ingestPrincipal(env)));
    }

    @Override
    public AuditSink auditSink(Environment env) {
        return new JsonLinesAuditSink(home(env).auditDir().resolve("ingest"));
    }

    private StackHome home(Environment env) {
        return cli.home(env.name());
    }
}
