package io.securelake.knox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.audit.AuditSink;
import io.securelake.audit.BatchingAuditSink;
import io.securelake.audit.JsonLinesAuditSink;
import io.securelake.contracts.status.GatewayFigures;
import io.securelake.contracts.status.ServiceState;
import io.securelake.contracts.status.ServiceStatus;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentCatalog;
import io.securelake.envs.Principals;
import io.securelake.envs.RangerServiceType;
import io.securelake.kerberos.Jaas;
import io.securelake.policies.api.Policies;
import io.securelake.policies.api.PolicyDecider;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.knox.gateway.GatewayServer;
import org.apache.knox.gateway.config.impl.GatewayConfigImpl;
import org.apache.knox.gateway.service.definition.ServiceDefinition;
import org.apache.knox.gateway.services.DefaultGatewayServices;
import org.apache.knox.gateway.services.ServiceType;
import org.apache.knox.gateway.services.security.AliasService;
import org.apache.knox.gateway.services.security.KeystoreService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The perimeter gateway of one environment, in this JVM: the environment's LDAP directory, Apache Knox 2.0.0
 * (in-process, the way Knox's own {@code GatewayTestDriver} runs it) over TLS with one topology generated from the
 * environment definition, authorization by Ranger's engine over {@code <env>_knox.json}, every decision and
 * authentication in the audit trail (stage {@code knox}). {@link #start} returns once the topology answers;
 * {@link #close} stops everything.
 *
 * <p>Knox reads part of its configuration from JVM-wide system properties (GATEWAY_HOME, Kerberos), so one
 * gateway per JVM: {@link GatewayMain} is the process to run it in, and sets them ({@link #systemProperties});
 * this class only checks them.
 *
 * <p>Layout of {@code state_dir} (mode 700): {@code home/} (GATEWAY_HOME: conf/gateway-site.xml, conf/topologies/
 * <env>.xml, data/services, data/deployments, data/security/keystores), {@code ldap/} (directory instance and
 * its LDIF), {@code logs/}, {@code ports.json}, {@code gateway-truststore.p12} (for clients; kept across starts with the
 * identity in {@code identity/}), {@code krb5-jaas.conf},
 * {@code ready.json}.
 */
public final class KnoxGateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KnoxGateway.class);
    public static final String GATEWAY_PATH = "gateway";
    /** Knox's credential store of the gateway itself (alias lookups without a topology). */
    private static final String GATEWAY_CREDENTIALS = "__gateway";
    private static final String HTTPCLIENT_TRUSTSTORE_PASSWORD_ALIAS = "gateway-httpclient-truststore-password";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final GatewayConfig config;
    private final Environment env;
    private final Path stateDir;
    private EmbeddedLdap ldap;
    private AuditSink audit;
    private KnoxAuthorizer authorizer;
    private KnoxAuditBridge bridge;
    private GatewayServer server;
    private ServiceStatus<GatewayFigures> ready;
    private boolean closed;

    private KnoxGateway(GatewayConfig config, Environment env) {
        this.config = config;
        this.env = env;
        this.stateDir = config.stateDir();
    }

    /** Starts directory and gateway; returns when the topology answers (a failure stops what was started). */
    public static KnoxGateway start(GatewayConfig config) throws Exception {
        Environment env = EnvironmentCatalog.of(config.envsDir()).load(config.environment());
        KnoxGateway g = new KnoxGateway(config, env);
        try {
            g.doStart();
            return g;
        } catch (Exception | Error e) {
            g.close();
            throw e;
        }
    }

    /**
     * The JVM-wide system properties Knox and its directory read, for this configuration: {@code GATEWAY_HOME},
     * whether Knox speaks Kerberos to the backends and with which JAAS file, and ApacheDS' instance directory.
     * They are the process's to set, before {@link #start} (which only checks them): {@link GatewayMain} does.
     * The krb5.conf is not among them: the process points the JVM at {@link GatewayConfig#krb5Conf()} with
     * {@code KerberosJvm.useKrb5Conf}, which also makes the JDK re-read it.
     */
    public static Map<String, String> systemProperties(GatewayConfig config) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(GATEWAY_HOME_PROPERTY, gatewayHome(config).toString());
        p.put(EmbeddedLdap.WORKING_DIRECTORY_PROPERTY, ldapInstance(config).toAbsolutePath().toString());
        p.put("gateway.hadoop.kerberos.secured", Boolean.toString(config.kerberosToBackends()));
        if (config.kerberosToBackends()) {
            p.put("java.security.auth.login.config", jaasFile(config).toString());
            // Knox's SPNEGO towards the backends logs in through the JAAS file, not through a Subject of ours.
            p.put("javax.security.auth.useSubjectCredsOnly", "false");
        }
        return p;
    }

    /** Fails unless the process set {@link #systemProperties} (and the krb5.conf) before starting the gateway. */
    static void requireSystemProperties(GatewayConfig config) {
        List<String> wrong = new java.util.ArrayList<>();
        systemProperties(config).forEach((key, value) -> {
            String actual = System.getProperty(key);
            if (!value.equals(actual)) {
                wrong.add(key + "=" + value + " (is " + (actual == null ? "unset" : actual) + ")");
            }
        });
        if (!wrong.isEmpty()) {
            throw new IllegalStateException("Knox reads JVM-wide system properties that the process must set before "
                    + "starting the gateway (GatewayMain sets KnoxGateway.systemProperties(config)): " + wrong);
        }
        if (config.kerberosToBackends()) {
            io.securelake.kerberos.KerberosJvm.requireKrb5Conf(config.krb5Conf(), "the gateway's Kerberos to its backends");
        }
    }

    static final String GATEWAY_HOME_PROPERTY = "GATEWAY_HOME";

    private static Path gatewayHome(GatewayConfig config) {
        return config.stateDir().resolve("home");
    }

    private static Path ldapInstance(GatewayConfig config) {
        return config.stateDir().resolve("ldap").resolve("instance");
    }

    private static Path jaasFile(GatewayConfig config) {
        return config.stateDir().resolve("krb5-jaas.conf");
    }

    private void doStart() throws Exception {
        Instant t0 = Instant.now();
        requireSystemProperties(config);
        String topology = TopologyGenerator.topologyName(env);
        Files.deleteIfExists(config.readyFile());
        Secrets.ownerOnlyDirectory(stateDir);
        Path home = gatewayHome(config);
        Path keystores = home.resolve("data/security/keystores");
        // The master secret is new at every start: the previous run's keystores and credential stores are
        // unreadable with it, and the deployments were made with them. Rebuild all of it.
        deleteTree(home.resolve("data/security"));
        deleteTree(home.resolve("data/deployments"));
        deleteTree(home.resolve("data/services"));
        for (String d : List.of("conf/topologies", "conf/descriptors", "conf/shared-providers", "data/services",
                "data/deployments", "data/security/keystores")) {
            Files.createDirectories(home.resolve(d));
        }
        Secrets.ownerOnlyDirectory(home.resolve("data/security"));

        // Ports: fixed by the config, or picked once and kept for restarts.
        Ports ports = Ports.resolve(stateDir.resolve("ports.json"), config);

        String master = PeoplePasswords.random() + PeoplePasswords.random();
        // The TLS identity outlives the master secret: clients keep trusting the gateway across restarts.
        Path identity = keystores.resolve("gateway-identity.p12");
        GatewayIdentity.Kept kept = GatewayIdentity.loadOrCreate(env.name(), stateDir.resolve("identity"),
                stateDir.resolve("gateway-truststore.p12"), identity, master.toCharArray(), java.time.Clock.systemUTC());
        LOG.info("gateway certificate {} (serial {})", kept.reused() ? "kept from the previous start" : "created",
                kept.identity().certificate().getSerialNumber().toString(16));
        Path clientTruststore = kept.truststore();
        String clientTruststorePassword = kept.truststorePassword();

        // The audit trail and the policies first: a broken policy file fails the start at once
        audit = new BatchingAuditSink(JsonLinesAuditSink.firstFree(config.auditDir().toAbsolutePath(), "knox"),
                65_536, Duration.ofMillis(200), Duration.ofSeconds(30));
        PolicyDecider store = Policies.open(env, RangerServiceType.KNOX, config.policiesDir(), audit, LOG::info);
        authorizer = new KnoxAuthorizer(env, store);
        KnoxAuthorizer.register(authorizer);
        bridge = KnoxAuditBridge.install(env, GATEWAY_PATH, audit, LOG::warn);

        // The directory of the environment's people
        DirectoryLayout dir = new DirectoryLayout(env.name());
        Path ldapDir = stateDir.resolve("ldap");
        Secrets.ownerOnlyDirectory(ldapDir);
        Path ldif = ldapDir.resolve(env.name() + "-directory.ldif");
        Secrets.writeAtomically(ldif, config.peoplePasswordHashes() != null
                ? dir.ldifWithStoredPasswords(env, PeoplePasswords.readStored(config.peoplePasswordHashes()))
                : dir.ldif(env, PeoplePasswords.loadOrCreate(config.peoplePasswords(), env).asMap()));
        String ldapAdminSecret = PeoplePasswords.random() + PeoplePasswords.random();
        EmbeddedLdap.clean(ldapInstance(config));
        ldap = EmbeddedLdap.start(dir.baseDn(), ldif, ldapInstance(config), "127.0.0.1", ports.ldapPort(),
                ldapAdminSecret);
        String ldapUrl = "ldap://127.0.0.1:" + ldap.port();
        LOG.info("directory of {} at {} ({} people, {} groups)", env.name(), ldapUrl, env.people().size(),
                env.groups().size());

        // Kerberos to the backends (Knox reads its settings as system properties, see GatewayServer#main; the
        // process set them before start, see systemProperties): the JAAS file they name.
        Path jaas = jaasFile(config);
        if (config.kerberosToBackends()) {
            Secrets.writeAtomically(jaas, jaasConfig(config.principal(), config.keytab()));
        } else {
            Files.deleteIfExists(jaas);
            LOG.warn("Kerberos to the backends is OFF (backend_kerberos=false): Knox asserts users with user.name, "
                    + "which only an unsecured backend accepts");
        }

        // Knox: GATEWAY_HOME, gateway-site.xml, service definitions, the topology
        unpackServiceDefinitions(home.resolve("data/services"), List.of("hive", "webhdfs"));
        useQueryServerClientForHive(home.resolve("data/services/hive"));
        Files.writeString(home.resolve("conf/gateway-site.xml"),
                gatewaySite(ports.port(), identity, jaas, topology), StandardCharsets.UTF_8);
        TopologyGenerator.Settings settings = new TopologyGenerator.Settings(env, ldapUrl, config.hiveUrl(),
                config.webhdfsUrl());
        Secrets.writeAtomically(home.resolve("conf/topologies/" + topology + ".xml"),
                TopologyGenerator.topologyXml(settings));
        GatewayConfigImpl knoxConfig = new GatewayConfigImpl();
        DefaultGatewayServices services = new DefaultGatewayServices();
        Map<String, String> options = new HashMap<>();
        options.put("persist-master", "false");
        options.put("master", master);
        services.init(knoxConfig, options);
        KeystoreService ks = services.getService(ServiceType.KEYSTORE_SERVICE);
        AliasService aliases = services.getService(ServiceType.ALIAS_SERVICE);
        if (config.truststore() != null) {
            addAlias(aliases, GATEWAY_CREDENTIALS, HTTPCLIENT_TRUSTSTORE_PASSWORD_ALIAS, config.truststorePassword());
        }
        if (!ks.isCredentialStoreForClusterAvailable(topology)) {
            ks.createCredentialStoreForCluster(topology);
        }
        addAlias(aliases, topology, TopologyGenerator.LDAP_SYSTEM_PASSWORD_ALIAS, ldapAdminSecret);
        server = GatewayServer.startGateway(knoxConfig, services);
        if (server == null) {
            throw new IllegalStateException("Knox did not start (see " + config.logsDir().resolve("gateway.log") + ")");
        }

        // Ready when the topology answers (401: deployed, authentication in front of everything)
        String base = "https://localhost:" + ports.port() + "/" + GATEWAY_PATH + "/" + topology;
        awaitTopology(base, clientTruststore, clientTruststorePassword);
        String jdbc = "jdbc:hive2://localhost:" + ports.port() + "/;ssl=true;sslTrustStore=" + clientTruststore
                + ";trustStorePassword=" + clientTruststorePassword + ";transportMode=http;httpPath=" + GATEWAY_PATH
                + "/" + topology + "/hive";
        ready = ServiceStatus.of(GatewayFigures.builder().topology(topology).url(base).hiveJdbcUrl(jdbc)
                        .webhdfsUrl(base + "/webhdfs/v1").ldapUrl(ldapUrl)
                        .truststore(clientTruststore.toString(), clientTruststorePassword).port(ports.port())
                        .ldapPort(ldap.port()).backendKerberos(config.kerberosToBackends()).build())
                .environment(env.name()).state(ServiceState.RUNNING).startedAt(t0).build();
        ready.writeTo(config.readyFile(), ServiceStatus.GATEWAY);
        LOG.info("gateway of {} ready at {} in {} ms (backend Kerberos {}, policies {} v{})", env.name(), base,
                Duration.between(t0, Instant.now()).toMillis(), config.kerberosToBackends() ? "on" : "OFF",
                store.serviceName(), store.policyVersion());
    }

    /** Knox's addAliasForCluster only logs a failure: check the alias is there. */
    private static void addAlias(AliasService aliases, String cluster, String alias, String value) throws Exception {
        aliases.addAliasForCluster(cluster, alias, value);
        char[] stored = aliases.getPasswordFromAliasForCluster(cluster, alias);
        if (stored == null || !new String(stored).equals(value)) {
            throw new IllegalStateException("cannot store alias " + alias + " in Knox's credential store of " + cluster);
        }
    }

    public ServiceStatus<GatewayFigures> ready() {
        return ready;
    }

    public Environment environment() {
        return env;
    }

    static String jaasConfig(String principal, Path keytab) {
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("renewTGT", false);
        options.put("doNotPrompt", true);
        options.put("useKeyTab", true);
        options.put("useTicketCache", false);
        options.put("storeKey", true);
        options.put("isInitiator", true);
        // Knox keeps a backend's authentication cookie (hive.server2.auth, hadoop.auth) only if its value
        // names Knox's principal as this file spells it ("cu=svc-knox-dev"), reading the principal line
        // as a property: give it without the realm (Kerberos adds the default realm of krb5.conf) and not
        // last, so no ';' sticks to it. Otherwise every request pays a new SPNEGO negotiation.
        options.put("principal", Principals.withoutRealm(principal));
        options.put("keyTab", keytab.toAbsolutePath().toString());
        return Jaas.loginConfigurationFile("Generated by securelake: Knox's Kerberos identity towards the backends (SPNEGO).",
                "com.sun.security.jgss.initiate", options);
    }

    private String gatewaySite(int port, Path identity, Path jaas, String topology) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("gateway.host", config.bindAddress());
        p.put("gateway.port", Integer.toString(port));
        p.put("gateway.path", GATEWAY_PATH);
        p.put("ssl.enabled", "true");
        p.put("gateway.tls.keystore.path", identity.toString());
        p.put("gateway.tls.keystore.type", "PKCS12");
        p.put("gateway.tls.key.alias", GatewayIdentity.KEY_ALIAS);
        p.put("gateway.server.header.enabled", "false");
        p.put("gateway.websocket.feature.enabled", "false");
        p.put("gateway.auto.deploy.topologies", topology);
        p.put("gateway.hadoop.kerberos.secured", Boolean.toString(config.kerberosToBackends()));
        if (config.kerberosToBackends()) {
            p.put("java.security.krb5.conf", config.krb5Conf().toString());
            p.put("java.security.auth.login.config", jaas.toString());
            p.put("sun.security.krb5.debug", "false");
        }
        if (config.truststore() != null) {
            p.put("gateway.httpclient.truststore.path", config.truststore().toString());
            p.put("gateway.httpclient.truststore.type", config.truststoreType());
            p.put("gateway.httpclient.truststore.password.alias", HTTPCLIENT_TRUSTSTORE_PASSWORD_ALIAS);
        }
        StringBuilder x = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<!-- Generated by securelake at each start of the ").append(env.name())
                .append(" gateway. Do not edit. -->\n<configuration>\n");
        for (Map.Entry<String, String> e : p.entrySet()) {
            x.append("  <property><name>").append(TopologyGenerator.esc(e.getKey())).append("</name><value>")
                    .append(TopologyGenerator.esc(e.getValue())).append("</value></property>\n");
        }
        return x.append("</configuration>\n").toString();
    }

    /** Knox loads service definitions from data/services; they ship inside gateway-service-definitions.jar. */
    static void unpackServiceDefinitions(Path target, List<String> services) throws IOException {
        Path jar;
        try {
            jar = Path.of(ServiceDefinition.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IOException("cannot locate gateway-service-definitions", e);
        }
        int n = 0;
        if (Files.isDirectory(jar)) {
            for (String s : services) {
                Path src = jar.resolve("services").resolve(s);
                try (var walk = Files.walk(src)) {
                    for (Path p : walk.filter(Files::isRegularFile).toList()) {
                        Path dst = target.resolve(s).resolve(src.relativize(p).toString());
                        Files.createDirectories(dst.getParent());
                        Files.copy(p, dst);
                        n++;
                    }
                }
            }
        } else {
            try (JarFile jf = new JarFile(jar.toFile())) {
                Enumeration<JarEntry> entries = jf.entries();
                while (entries.hasMoreElements()) {
                    JarEntry e = entries.nextElement();
                    String name = e.getName();
                    if (e.isDirectory() || !name.startsWith("services/")) {
                        continue;
                    }
                    String rest = name.substring("services/".length());
                    String service = rest.substring(0, Math.max(0, rest.indexOf('/')));
                    if (!services.contains(service)) {
                        continue;
                    }
                    Path dst = target.resolve(rest).normalize();
                    if (!dst.startsWith(target)) {
                        continue;
                    }
                    Files.createDirectories(dst.getParent());
                    try (InputStream in = jf.getInputStream(e)) {
                        Files.copy(in, dst);
                    }
                    n++;
                }
            }
        }
        if (n == 0) {
            throw new IOException("no service definitions " + services + " found in " + jar);
        }
    }

    static final String HIVE_DISPATCH = "<dispatch classname=\"org.apache.knox.gateway.hive.HiveDispatch\"";

    /**
     * Makes Knox's Hive dispatch use {@link QueryServerClientFactory}: SPNEGO asks for the query server's principal
     * after the host as written in the backend URL (HTTP/127.0.0.1, not HTTP/localhost), and a restart of the query
     * server (its cookie refused, the server away) is recovered or named instead of ending in an HTTP 500. Fails
     * when a service definition has no dispatch to change (a Knox upgrade changed them): asking for the wrong
     * principal would only fail later, on every query.
     */
    static void useQueryServerClientForHive(Path hiveDefinitions) throws IOException {
        int changed = 0;
        try (var walk = Files.walk(hiveDefinitions)) {
            for (Path p : walk.filter(f -> f.getFileName().toString().equals("service.xml")).toList()) {
                String xml = Files.readString(p, StandardCharsets.UTF_8);
                if (!xml.contains(HIVE_DISPATCH)) {
                    throw new IOException(p + " has no " + HIVE_DISPATCH + "…>: cannot name the query server's principal");
                }
                Files.writeString(p, xml.replace(HIVE_DISPATCH, HIVE_DISPATCH + " http-client-factory=\""
                        + QueryServerClientFactory.class.getName() + "\""), StandardCharsets.UTF_8);
                changed++;
            }
        }
        if (changed == 0) {
            throw new IOException("no HIVE service definition under " + hiveDefinitions);
        }
    }

    private void awaitTopology(String base, Path truststore, String password) throws Exception {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(truststore)) {
            ts.load(in, password.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        HttpClient client = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest probe = HttpRequest.newBuilder(URI.create(base + "/webhdfs/v1/?op=GETHOMEDIRECTORY"))
                .timeout(Duration.ofSeconds(10)).GET().build();
        Instant deadline = Instant.now().plus(READY_TIMEOUT);
        String last = "no answer";
        while (Instant.now().isBefore(deadline)) {
            try {
                int status = client.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 401) {
                    return;
                }
                last = "HTTP " + status;
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("topology " + base + " did not deploy within " + READY_TIMEOUT.toSeconds()
                + " s (last probe: " + last + "); see " + config.logsDir().resolve("gateway.log"));
    }

    /** Stops gateway, directory, authorizer and audit (flushing it); removes ready.json first. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Files.deleteIfExists(config.readyFile());
        } catch (IOException e) {
            LOG.warn("cannot remove {}: {}", config.readyFile(), e.toString());
        }
        if (server != null) {
            try {
                server.stop();
            } catch (Exception e) {
                LOG.warn("stopping Knox: {}", e.toString());
            }
        }
        if (ldap != null) {
            try {
                ldap.close();
            } catch (RuntimeException e) {
                LOG.warn("stopping the directory: {}", e.toString());
            }
        }
        if (bridge != null) {
            bridge.uninstall();
        }
        if (authorizer != null) {
            authorizer.close();
        }
        if (audit != null) {
            try {
                audit.close();
            } catch (RuntimeException e) {
                LOG.error("closing the audit trail: {}", e.toString());
            }
        }
        LOG.info("gateway of {} stopped", env.name());
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }

    /** The gateway's and the directory's ports, kept in {@code ports.json} so restarts reuse them. */
    record Ports(int port, int ldapPort) {
        static Ports resolve(Path file, GatewayConfig c) throws IOException {
            int storedPort = 0;
            int storedLdap = 0;
            if (Files.exists(file)) {
                try {
                    JsonNode n = JSON.readTree(file.toFile());
                    storedPort = n.path("port").asInt(0);
                    storedLdap = n.path("ldap_port").asInt(0);
                } catch (IOException e) {
                    LOG.warn("ignoring unreadable {}: {}", file, e.toString());
                }
            }
            int port = pick(c.port(), storedPort, c.bindAddress(), "gateway", -1);
            int ldapPort = pick(c.ldapPort(), storedLdap, "127.0.0.1", "directory", port);
            ObjectNode out = JSON.createObjectNode();
            out.put("port", port);
            out.put("ldap_port", ldapPort);
            Secrets.writeAtomically(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(out));
            return new Ports(port, ldapPort);
        }

        private static int pick(int configured, int stored, String host, String what, int avoid) throws IOException {
            if (configured != 0) {
                return configured;
            }
            if (stored > 0 && stored != avoid) {
                if (isFree(host, stored)) {
                    return stored;
                }
                LOG.warn("{} port {} of the previous run is taken now: picking another one", what, stored);
            }
            for (int i = 0; i < 10; i++) {
                try (ServerSocket s = new ServerSocket()) {
                    s.setReuseAddress(false);
                    s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
                    if (s.getLocalPort() != avoid) {
                        return s.getLocalPort();
                    }
                }
            }
            throw new IOException("no free port for the " + what + " on " + host);
        }

        private static boolean isFree(String host, int port) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getByName(host), port));
                return true;
            } catch (IOException e) {
                return false;
            }
        }
    }
}
