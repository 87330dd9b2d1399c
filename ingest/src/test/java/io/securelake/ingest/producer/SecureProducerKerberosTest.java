package io.securelake.ingest.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentCatalog;
import io.securelake.envs.ServiceRole;
import io.securelake.kerberos.KerberosJvm;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The producer is a library: it never changes which krb5.conf the JVM uses, and says who must. */
class SecureProducerKerberosTest {
    private static final Path SCHEMAS = Path.of(System.getProperty("securelake.schemas.dir", "../envs/schemas"));
    private static final Environment DEV = EnvironmentCatalog.of(SCHEMAS.getParent()).load("dev");

    @TempDir
    Path dir;

    @Test
    void aProducerWhoseKrb5ConfTheProcessDidNotChooseIsRefusedNamingTheCall() {
        Path krb5 = dir.resolve("krb5.conf").toAbsolutePath();
        String before = System.getProperty(KerberosJvm.KRB5_CONF_PROPERTY);
        String dataset = DEV.datasets().get(0).name();
        IngestConfig config = new IngestConfig(DEV.name(), dataset, "localhost:1", dir.resolve("ca.pem"), Optional.of(krb5),
                new KerberosCredentials.Keytab(DEV.names().qualified(DEV.names().servicePrincipal(ServiceRole.INGEST)), dir.resolve("k.keytab")), false,
                Optional.empty(), Optional.empty(), SCHEMAS, IngestConfig.ProducerTuning.defaults());

        assertThatThrownBy(() -> SecureProducer.open(config, DEV, null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the " + DEV.name() + "." + dataset + " producer")
                .hasMessageContaining("needs this JVM to use krb5.conf " + krb5)
                .hasMessageContaining("KerberosJvm.useKrb5Conf(" + krb5 + ")");
        assertThat(System.getProperty(KerberosJvm.KRB5_CONF_PROPERTY)).as("the JVM's setting is untouched")
                .isEqualTo(before);
    }
}
