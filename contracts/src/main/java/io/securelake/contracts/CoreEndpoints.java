package io.securelake.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.securelake.contracts.files.DurableLocalFiles;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a client needs to reach an environment's services: {@code endpoints.json}, written by the local core process
 * once it is ready (and a copy naming only its own credentials for the query server), or derived from the
 * environment definition for real clusters ({@code ClusterEndpoints}). The static part of
 * {@code securelake status --json}. Build one with {@link #builder()}: fourteen fields, several of the same type.
 *
 * @param keytabs            principal (qualified) → keytab path, in the writer's order
 * @param truststore         PKCS12 truststore of the stack's CA; null for real clusters (they give {@code caPem})
 * @param truststorePassword its password; null exactly when {@code truststore} is
 * @param caPem              the CA certificate (PEM); null in the query server's copy, which has the truststore
 * @param kdc                {@code host:port} of the KDC
 * @param webHdfs            WebHDFS base URL ending in {@code /webhdfs/v1}
 * @param hdfsPrincipal      the NameNode's principal ({@code hdfs/_HOST@REALM} on real clusters)
 * @param kmsUri             the key provider URI ({@code kms://https@host:port/kms}); null where there is none
 * @param pid                the process that owns the local core (its supervisor, or the JVM that runs it in-process),
 *                           or -1 for real clusters
 */
public record CoreEndpoints(
        @JsonProperty("environment") String environment,
        @JsonProperty("realm") String realm,
        @JsonProperty("krb5_conf") String krb5Conf,
        @JsonProperty("keytabs") Map<String, String> keytabs,
        @JsonProperty("truststore") String truststore,
        @JsonProperty("truststore_password") String truststorePassword,
        @JsonProperty("ca_pem") String caPem,
        @JsonProperty("kdc") String kdc,
        @JsonProperty("kafka_bootstrap") String kafkaBootstrap,
        @JsonProperty("hdfs_namenode") String hdfsNameNode,
        @JsonProperty("hdfs_webhdfs") String webHdfs,
        @JsonProperty("hdfs_principal") String hdfsPrincipal,
        @JsonProperty("kms_uri") String kmsUri,
        @JsonProperty("pid") long pid) {

    /** The file's name in a stack home ({@code .securelake/<env>/endpoints.json}). */
    public static final String FILE_NAME = "endpoints.json";
    /** Version 1: the fields above. */
    public static final Contract<CoreEndpoints> CONTRACT = Contract.of(CoreEndpoints.class, "endpoints",
            "endpoints_version", 1);
    /** For real clusters: no local process. */
    public static final long NO_PROCESS = -1;

    public CoreEndpoints {
        Fields.nonBlank(environment, "environment");
        Fields.nonBlank(realm, "realm");
        Fields.nonBlank(krb5Conf, "krb5_conf");
        keytabs = Collections.unmodifiableMap(new LinkedHashMap<>(Fields.required(keytabs, "keytabs")));
        keytabs.forEach((principal, keytab) -> Fields.nonBlank(keytab, "keytabs." + principal));
        Fields.nullOrNonBlank(truststore, "truststore");
        Fields.nullOrNonBlank(truststorePassword, "truststore_password");
        if ((truststore == null) != (truststorePassword == null)) {
            throw new Fields.InvalidField(truststore == null ? "truststore" : "truststore_password",
                    "is required with " + (truststore == null ? "truststore_password" : "truststore"));
        }
        Fields.nullOrNonBlank(caPem, "ca_pem");
        Fields.nonBlank(kdc, "kdc");
        Fields.nonBlank(kafkaBootstrap, "kafka_bootstrap");
        Fields.nonBlank(hdfsNameNode, "hdfs_namenode");
        Fields.nonBlank(webHdfs, "hdfs_webhdfs");
        Fields.nonBlank(hdfsPrincipal, "hdfs_principal");
        Fields.nullOrNonBlank(kmsUri, "kms_uri");
        if (pid != NO_PROCESS) {
            Fields.pid(pid, "pid");
        }
    }

    /** Reads a stack's endpoints; empty when there is no file (not started, or stopped). */
    public static Optional<CoreEndpoints> readIfPresent(Path file) {
        return ContractCodec.readIfPresent(file, CONTRACT);
    }

    public static CoreEndpoints read(Path file) {
        return ContractCodec.read(file, CONTRACT);
    }

    /** Replaces {@code file} atomically, owner-only: it names keytabs and the truststore's password. */
    public void writeTo(Path file) {
        ContractCodec.write(file, CONTRACT, this, Optional.of(DurableLocalFiles.OWNER_ONLY));
    }

    /** The keytab of a qualified principal, or a message naming what is there. */
    public String keytab(String qualifiedPrincipal, Path source) {
        String k = keytabs.get(qualifiedPrincipal);
        if (k == null) {
            throw new IllegalArgumentException(source + " has no keytab for " + qualifiedPrincipal + " (it has: "
                    + String.join(", ", keytabs.keySet()) + ")");
        }
        return k;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these endpoints, to derive others (the query server's copy names its own files). */
    public Builder toBuilder() {
        return new Builder().environment(environment).realm(realm).krb5Conf(krb5Conf).keytabs(keytabs)
                .truststore(truststore, truststorePassword).caPem(caPem).kdc(kdc).kafkaBootstrap(kafkaBootstrap)
                .hdfsNameNode(hdfsNameNode).webHdfs(webHdfs).hdfsPrincipal(hdfsPrincipal).kmsUri(kmsUri).pid(pid);
    }

    /** Every field by name; {@link #build()} checks them as reading a file does. */
    public static final class Builder {
        private String environment;
        private String realm;
        private String krb5Conf;
        private Map<String, String> keytabs = new LinkedHashMap<>();
        private String truststore;
        private String truststorePassword;
        private String caPem;
        private String kdc;
        private String kafkaBootstrap;
        private String hdfsNameNode;
        private String webHdfs;
        private String hdfsPrincipal;
        private String kmsUri;
        private long pid = NO_PROCESS;

        private Builder() {
        }

        public Builder environment(String v) {
            environment = v;
            return this;
        }

        public Builder realm(String v) {
            realm = v;
            return this;
        }

        public Builder krb5Conf(String v) {
            krb5Conf = v;
            return this;
        }

        public Builder keytabs(Map<String, String> v) {
            keytabs = new LinkedHashMap<>(v);
            return this;
        }

        /** Both or neither: the password belongs to the truststore. */
        public Builder truststore(String path, String password) {
            truststore = path;
            truststorePassword = password;
            return this;
        }

        public Builder caPem(String v) {
            caPem = v;
            return this;
        }

        public Builder kdc(String v) {
            kdc = v;
            return this;
        }

        public Builder kafkaBootstrap(String v) {
            kafkaBootstrap = v;
            return this;
        }

        public Builder hdfsNameNode(String v) {
            hdfsNameNode = v;
            return this;
        }

        public Builder webHdfs(String v) {
            webHdfs = v;
            return this;
        }

        public Builder hdfsPrincipal(String v) {
            hdfsPrincipal = v;
            return this;
        }

        public Builder kmsUri(String v) {
            kmsUri = v;
            return this;
        }

        public Builder pid(long v) {
            pid = v;
            return this;
        }

        public CoreEndpoints build() {
            return new CoreEndpoints(environment, realm, krb5Conf, keytabs, truststore, truststorePassword, caPem, kdc,
                    kafkaBootstrap, hdfsNameNode, webHdfs, hdfsPrincipal, kmsUri, pid);
        }
    }
}
