package io.securelake.knox;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import io.securelake.envs.Principals;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the platform tells the gateway of one environment, read from a JSON file
 * ({@code GatewayMain --config <gateway.json>}). Field names are snake_case in JSON.
 *
 * @param environment         environment name, e.g. {@code dev} (also the topology's name)
 * @param envsDir             directory of the environment definitions ({@code envs/})
 * @param policiesDir         root of the policies as code ({@code security-policies/policies})
 * @param stateDir            the gateway's own working directory (GATEWAY_HOME, keystores, LDAP data, ports)
 * @param auditDir            root of the audit trail; the gateway writes {@code <audit_dir>/knox}
 * @param port                HTTPS port; 0 = pick a free one once and keep it in {@code state_dir}
 * @param ldapPort            LDAP port (127.0.0.1 only); 0 = as for {@code port}
 * @param peoplePasswords     properties file {@code person=password}; created (mode 600) with random
 *                            passwords when absent, completed when people were added. Only for a gateway
 *                            that owns the passwords; give {@code people_password_hashes} instead when another
 *                            party (the platform) keeps them
 * @param peoplePasswordHashes properties file {@code person=<RFC 2307 stored password>} ({@code {SSHA256}…}):
 *                            the directory is built from these, and the gateway never holds a clear password.
 *                            Exactly one of {@code people_passwords} and this is required
 * @param hiveUrl             the Thrift server's HTTP endpoint, e.g. {@code http://localhost:10001/cliservice}
 * @param webhdfsUrl          WebHDFS, e.g. {@code https://localhost:9871/webhdfs}
 * @param backendKerberos     whether Knox authenticates to the backends with Kerberos (SPNEGO) and asserts
 *                            users with {@code doAs}; default true. False (tests, unsecured backends only)
 *                            makes Knox send {@code user.name} instead
 * @param krb5Conf            krb5.conf of the environment's realm (required with backend Kerberos)
 * @param principal           the gateway's principal, {@code svc-knox-<env>@REALM}
 * @param keytab              keytab holding {@code principal} only
 * @param truststore          the backends' CA (PKCS12 or JKS); optional when no backend speaks TLS
 * @param truststorePassword  its password
 * @param bindAddress         address the gateway listens on; default {@code 127.0.0.1}
 */
public record GatewayConfig(
        @JsonProperty("environment") String environment,
        @JsonProperty("envs_dir") Path envsDir,
        @JsonProperty("policies_dir") Path policiesDir,
        @JsonProperty("state_dir") Path stateDir,
        @JsonProperty("audit_dir") Path auditDir,
        @JsonProperty("port") int port,
        @JsonProperty("ldap_port") int ldapPort,
        @JsonProperty("people_passwords") Path peoplePasswords,
        @JsonProperty("people_password_hashes") Path peoplePasswordHashes,
        @JsonProperty("hive_url") String hiveUrl,
        @JsonProperty("webhdfs_url") String webhdfsUrl,
        @JsonProperty("backend_kerberos") Boolean backendKerberos,
        @JsonProperty("krb5_conf") Path krb5Conf,
        @JsonProperty("principal") String principal,
        @JsonProperty("keytab") Path keytab,
        @JsonProperty("truststore") Path truststore,
        @JsonProperty("truststore_password") String truststorePassword,
        @JsonProperty("bind_address") String bindAddress) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    @JsonCreator
    public GatewayConfig {
        backendKerberos = backendKerberos == null ? Boolean.TRUE : backendKerberos;
        bindAddress = bindAddress == null || bindAddress.isBlank() ? "127.0.0.1" : bindAddress;
    }

    public boolean kerberosToBackends() {
        return backendKerberos;
    }

    /** {@code <state_dir>/ready.json}, the gateway's {@code ServiceStatus}: present while the gateway serves. */
    public Path readyFile() {
        return stateDir.resolve(io.securelake.contracts.status.ServiceKind.GATEWAY.statusFileName());
    }

    /** {@code <state_dir>/logs}: gateway.log and Knox's gateway-audit.log. */
    public Path logsDir() {
        return stateDir.resolve("logs");
    }

    /** The topology (and Knox path segment) of this environment's gateway. */
    public String topology() {
        return environment;
    }

    /** Reads and validates a config file; every problem is reported at once, naming the field. */
    public static GatewayConfig read(Path file) {
        GatewayConfig c;
        try {
            c = JSON.readValue(file.toFile(), GatewayConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException(file + ": unknown field '" + e.getPropertyName() + "' (known: "
                    + e.getKnownPropertyIds() + ")", e);
        } catch (MismatchedInputException e) {
            throw new IllegalArgumentException(file + ": " + e.getOriginalMessage() + " at " + e.getPathReference(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read gateway config " + file + ": " + e.getMessage(), e);
        }
        return c.resolvedAgainst(file.toAbsolutePath().getParent()).validated(file.toString());
    }

    /** Relative paths are relative to the config file's directory. */
    GatewayConfig resolvedAgainst(Path base) {
        return new GatewayConfig(environment, abs(base, envsDir), abs(base, policiesDir), abs(base, stateDir),
                abs(base, auditDir), port, ldapPort, abs(base, peoplePasswords), abs(base, peoplePasswordHashes), hiveUrl, webhdfsUrl, backendKerberos,
                abs(base, krb5Conf), principal, abs(base, keytab), abs(base, truststore), truststorePassword, bindAddress);
    }

    private static Path abs(Path base, Path p) {
        return p == null ? null : base.resolve(p).toAbsolutePath().normalize();
    }

    GatewayConfig validated(String source) {
        List<String> problems = new ArrayList<>();
        if (environment == null || !environment.matches("[a-z][a-z0-9]{1,15}")) {
            problems.add("environment: an environment name like 'dev' is required, got " + quoted(environment));
        }
        requireDir(problems, "envs_dir", envsDir);
        requireDir(problems, "policies_dir", policiesDir);
        if (stateDir == null) {
            problems.add("state_dir: required");
        }
        if (auditDir == null) {
            problems.add("audit_dir: required");
        }
        if ((peoplePasswords == null) == (peoplePasswordHashes == null)) {
            problems.add("people_passwords or people_password_hashes: exactly one is required");
        }
        if (peoplePasswordHashes != null) {
            requireFile(problems, "people_password_hashes", peoplePasswordHashes);
        }
        requirePort(problems, "port", port);
        requirePort(problems, "ldap_port", ldapPort);
        if (port != 0 && port == ldapPort) {
            problems.add("port and ldap_port must differ, both are " + port);
        }
        requireUrl(problems, "hive_url", hiveUrl);
        requireUrl(problems, "webhdfs_url", webhdfsUrl);
        if (kerberosToBackends()) {
            requireFile(problems, "krb5_conf", krb5Conf);
            requireFile(problems, "keytab", keytab);
            if (principal == null || !Principals.isQualified(principal)) {
                problems.add("principal: the gateway's qualified principal (svc-knox-<env>@REALM) is required, got "
                        + quoted(principal));
            }
        }
        if (truststore != null) {
            requireFile(problems, "truststore", truststore);
            if (truststorePassword == null) {
                problems.add("truststore_password: required with truststore");
            }
        } else if (usesTls(hiveUrl) || usesTls(webhdfsUrl)) {
            problems.add("truststore: required when a backend URL is https (the backends' CA)");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid gateway config " + source + ":\n  - "
                    + String.join("\n  - ", problems));
        }
        return this;
    }

    private static boolean usesTls(String url) {
        return url != null && url.toLowerCase(Locale.ROOT).startsWith("https:");
    }

    /** PKCS12 unless the file is named like a JKS store. */
    public String truststoreType() {
        if (truststore == null) {
            return null;
        }
        String n = truststore.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".jks") ? "JKS" : "PKCS12";
    }

    private static void requireDir(List<String> problems, String field, Path p) {
        if (p == null) {
            problems.add(field + ": required");
        } else if (!Files.isDirectory(p)) {
            problems.add(field + ": not a directory: " + p);
        }
    }

    private static void requireFile(List<String> problems, String field, Path p) {
        if (p == null) {
            problems.add(field + ": required");
        } else if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            problems.add(field + ": not a readable file: " + p);
        }
    }

    private static void requirePort(List<String> problems, String field, int p) {
        if (p < 0 || p > 65535) {
            problems.add(field + ": 0 (pick a free port) or 1..65535, got " + p);
        }
    }

    private static void requireUrl(List<String> problems, String field, String url) {
        if (url == null || url.isBlank()) {
            problems.add(field + ": required");
            return;
        }
        try {
            URI u = new URI(url);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || u.getHost() == null) {
                problems.add(field + ": an http(s)://host:port/path URL is required, got " + quoted(url));
            }
        } catch (java.net.URISyntaxException e) {
            problems.add(field + ": not a URL: " + quoted(url));
        }
    }

    private static String quoted(String s) {
        return s == null ? "nothing" : "'" + s + "'";
    }

    @Override
    public String toString() {
        // never the truststore password
        return "GatewayConfig[environment=" + environment + ", state_dir=" + stateDir + ", port=" + port
                + ", ldap_port=" + ldapPort + ", hive_url=" + hiveUrl + ", webhdfs_url=" + webhdfsUrl
                + ", backend_kerberos=" + backendKerberos + ", principal=" + principal + "]";
    }
}
