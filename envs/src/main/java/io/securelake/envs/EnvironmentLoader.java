package io.securelake.envs;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads one environment definition (YAML) and validates it strictly: unknown keys, missing fields,
 * malformed realms and principals, duplicates, dangling references and references to other
 * environments are all refused, every problem reported with file, line and field.
 */
public final class EnvironmentLoader {
    static final Pattern ENV_NAME = Pattern.compile("[a-z][a-z0-9]{1,15}");
    static final Pattern REALM = Pattern.compile("[A-Z0-9][A-Z0-9-]*(\\.[A-Z0-9][A-Z0-9-]*)*");
    static final Pattern PRINCIPAL =
            Pattern.compile("([A-Za-z0-9][A-Za-z0-9._-]*)(/[A-Za-z0-9][A-Za-z0-9._-]*)?(@([^@]+))?");
    static final Pattern PERSON_NAME = Pattern.compile("[a-z][a-z0-9._-]{0,31}");
    static final Pattern GROUP_NAME = Pattern.compile("[a-z][a-z0-9_-]{0,31}");
    static final Pattern DATASET_NAME = Pattern.compile("[a-z][a-z0-9_]{0,47}");
    static final String EMBEDDED = "embedded";

    private final Set<String> otherEnvironments;

    /**
     * @param otherEnvironments names of the other environments known next to this one; a definition
     *                          that mentions one of them (in a principal, path or host) is refused
     */
    public EnvironmentLoader(Set<String> otherEnvironments) {
        this.otherEnvironments = Set.copyOf(otherEnvironments);
    }

    public Environment load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidEnvironmentException(List.of(
                    new EnvironmentProblem(file, 0, 0, "", "cannot read file: " + e.getMessage())));
        }
        return parse(file, text);
    }

    public Environment parse(Path file, String yamlText) {
        Node root;
        try (Reader reader = new java.io.StringReader(yamlText)) {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(true); // detected below, with a precise message
            root = new Yaml(new SafeConstructor(options)).compose(reader);
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark();
            throw new InvalidEnvironmentException(List.of(new EnvironmentProblem(file,
                    m == null ? 0 : m.getLine() + 1, m == null ? 0 : m.getColumn() + 1, "",
                    "not valid YAML: " + e.getProblem())));
        } catch (IOException | RuntimeException e) {
            throw new InvalidEnvironmentException(List.of(
                    new EnvironmentProblem(file, 0, 0, "", "not valid YAML: " + e.getMessage())));
        }
        Parse p = new Parse(file);
        if (root == null) {
            p.problem(null, "", "the file is empty");
            throw new InvalidEnvironmentException(p.problems);
        }
        Environment env = p.environment(root);
        if (!p.problems.isEmpty()) {
            throw new InvalidEnvironmentException(p.problems);
        }
        return env;
    }

    /** State of one parse: the file and the problems found so far. */
    private final class Parse extends StrictYamlReader {

        Parse(Path file) {
            super(file);
        }

        Environment environment(Node root) {
            Map<String, Node> doc = mapping(root, "", Set.of("name", "kerberos", "groups", "people", "services", "datasets"),
                    Set.of("description", "endpoints", "lake_writer", "keys"));
            if (doc == null) {
                return null;
            }
            String name = text(doc.get("name"), "name");
            String stem = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
            if (name != null) {
                if (!ENV_NAME.matcher(name).matches()) {
                    problem(doc.get("name"), "name", "'" + name + "' is not a valid environment name (" + ENV_NAME.pattern() + ")");
                } else if (!name.equals(stem)) {
                    problem(doc.get("name"), "name", "environment '" + name + "' must be defined in a file named " + name + ".yaml");
                }
            }
            String description = doc.containsKey("description") ? text(doc.get("description"), "description") : "";
            KerberosSettings kerberos = kerberos(doc.get("kerberos"));
            List<Group> groups = groups(doc.get("groups"));
            List<Person> people = people(doc.get("people"), groups);
            String envName = name == null ? stem : name;
            String realm = kerberos == null ? null : kerberos.realm();
            List<ServiceIdentity> services = services(doc.get("services"), envName, realm,
                    kerberos != null && !kerberos.embedded());
            List<Dataset> datasets = datasets(doc.get("datasets"));
            Endpoints endpoints = doc.containsKey("endpoints") ? endpoints(doc.get("endpoints")) : Endpoints.embedded();
            LakeWriterSettings lakeWriter = LakeWriterSettings.DEFAULTS;
            if (doc.containsKey("lake_writer")) {
                Map<String, Node> lw = mapping(doc.get("lake_writer"), "lake_writer", Set.of(), Set.of("roll_interval"));
                Duration roll = lw == null ? null
                        : duration(lw.get("roll_interval"), "lake_writer.roll_interval", LakeWriterSettings.DEFAULTS.rollInterval());
                if (roll != null) {
                    lakeWriter = new LakeWriterSettings(roll);
                }
            }
            KeySettings keys = KeySettings.DEFAULTS;
            if (doc.containsKey("keys")) {
                Map<String, Node> k = mapping(doc.get("keys"), "keys", Set.of("registry"), Set.of());
                String label = k == null ? null : text(k.get("registry"), "keys.registry");
                if (label != null) {
                    KeySettings.Registry registry = KeySettings.Registry.of(label);
                    if (registry == null) {
                        problem(k.get("registry"), "keys.registry", "'" + label + "' is not a key registry this build knows"
                                + " (kafka, directory)");
                    } else {
                        keys = new KeySettings(registry);
                    }
                }
            }
            checkPeopleDoNotShadowServices(people, services, doc.get("people"));
            if (!problems.isEmpty()) {
                return null;
            }
            return new Environment(name, description == null ? "" : description, kerberos, groups, people, services,
                    datasets, endpoints, lakeWriter, keys, file);
        }

        KerberosSettings kerberos(Node node) {
            Map<String, Node> m = mapping(node, "kerberos", Set.of("realm"),
                    Set.of("kdcs", "krb5_conf", "ticket_lifetime", "renew_lifetime"));
            if (m == null) {
                return null;
            }
            String realm = text(m.get("realm"), "kerberos.realm");
            if (realm != null && !REALM.matcher(realm).matches()) {
                problem(m.get("realm"), "kerberos.realm",
                        "'" + realm + "' is not a valid Kerberos realm (upper case, dot-separated, e.g. DEV.SECURELAKE.LOCAL)");
                realm = null;
            }
            mentionsOtherEnvironment(m.get("realm"), "kerberos.realm", realm);
            List<String> kdcs = new ArrayList<>();
            if (m.containsKey("kdcs")) {
                List<Node> items = sequence(m.get("kdcs"), "kerberos.kdcs");
                for (int i = 0; i < items.size(); i++) {
                    String field = "kerberos.kdcs[" + i + "]";
                    String kdc = text(items.get(i), field);
                    if (kdc != null && hostPort(items.get(i), field, kdc)) {
                        mentionsOtherEnvironment(items.get(i), field, kdc);
                        kdcs.add(kdc);
                    }
                }
            }
            Optional<Path> krb5 = Optional.empty();
            if (m.containsKey("krb5_conf")) {
                String p = text(m.get("krb5_conf"), "kerberos.krb5_conf");
                mentionsOtherEnvironment(m.get("krb5_conf"), "kerberos.krb5_conf", p);
                krb5 = Optional.ofNullable(p).map(Path::of);
            }
            Duration ticket = duration(m.get("ticket_lifetime"), "kerberos.ticket_lifetime", Duration.ofHours(10));
            Duration renew = duration(m.get("renew_lifetime"), "kerberos.renew_lifetime", Duration.ofDays(7));
            if (ticket != null && renew != null && renew.compareTo(ticket) < 0) {
                problem(m.get("renew_lifetime"), "kerberos.renew_lifetime",
                        "must not be shorter than ticket_lifetime (" + ticket + ")");
            }
            if (realm == null || ticket == null || renew == null) {
                return null;
            }
            return new KerberosSettings(realm, kdcs, krb5, ticket, renew);
        }

        List<Group> groups(Node node) {
            List<Group> groups = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            List<Node> items = sequence(node, "groups");
            for (int i = 0; i < items.size(); i++) {
                String field = "groups[" + i + "]";
                Map<String, Node> m = mapping(items.get(i), field, Set.of("name", "role"), Set.of());
                if (m == null) {
                    continue;
                }
                String name = named(m.get("name"), field + ".name", GROUP_NAME, seen, "group");
                Role role = enumValue(m.get("role"), field + ".role", Role.class);
                if (name != null && role != null) {
                    groups.add(new Group(name, role));
                }
            }
            return groups;
        }

        List<Person> people(Node node, List<Group> groups) {
            List<Person> people = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            Set<String> groupNames = new HashSet<>();
            groups.forEach(g -> groupNames.add(g.name()));
            List<Node> items = sequence(node, "people");
            for (int i = 0; i < items.size(); i++) {
                String field = "people[" + i + "]";
                Map<String, Node> m = mapping(items.get(i), field, Set.of("name"), Set.of("groups"));
                if (m == null) {
                    continue;
                }
                String name = named(m.get("name"), field + ".name", PERSON_NAME, seen, "person");
                List<String> memberOf = new ArrayList<>();
                if (m.containsKey("groups")) {
                    List<Node> gs = sequence(m.get("groups"), field + ".groups");
                    for (int j = 0; j < gs.size(); j++) {
                        String gField = field + ".groups[" + j + "]";
                        String g = text(gs.get(j), gField);
                        if (g == null) {
                            continue;
                        }
                        if (!groupNames.contains(g)) {
                            problem(gs.get(j), gField, "unknown group '" + g + "' (defined groups: "
                                    + String.join(", ", groupNames.stream().sorted().toList()) + ")");
                        } else if (memberOf.contains(g)) {
                            problem(gs.get(j), gField, "group '" + g + "' is listed twice");
                        } else {
                            memberOf.add(g);
                        }
                    }
                }
                if (name != null) {
                    people.add(new Person(name, memberOf));
                }
            }
            return people;
        }

        List<ServiceIdentity> services(Node node, String envName, String realm, boolean externalKdc) {
            Set<String> roles = new HashSet<>();
            Arrays.stream(ServiceRole.values()).forEach(r -> roles.add(r.yamlName()));
            Map<String, Node> m = mapping(node, "services", roles, Set.of());
            if (m == null) {
                return List.of();
            }
            Map<ServiceRole, ServiceIdentity> services = new EnumMap<>(ServiceRole.class);
            Set<String> principals = new HashSet<>();
            for (Map.Entry<String, Node> e : m.entrySet()) {
                ServiceRole role = ServiceRole.fromYamlName(e.getKey()).orElseThrow();
                String field = "services." + e.getKey();
                Map<String, Node> s = isNull(e.getValue()) ? Map.of()
                        : mapping(e.getValue(), field, Set.of(), Set.of("principal", "keytab"));
                if (s == null) {
                    continue;
                }
                String principal = "svc-" + role.principalStem() + "-" + envName;
                if (s.containsKey("principal")) {
                    principal = principal(s.get("principal"), field + ".principal", realm);
                    mentionsOtherEnvironment(s.get("principal"), field + ".principal", principal);
                }
                Optional<Path> keytab = Optional.empty();
                if (s.containsKey("keytab")) {
                    String k = text(s.get("keytab"), field + ".keytab");
                    mentionsOtherEnvironment(s.get("keytab"), field + ".keytab", k);
                    keytab = Optional.ofNullable(k).map(Path::of);
                } else if (externalKdc) {
                    problem(e.getValue(), field + ".keytab",
                            "required: kerberos.kdcs names a real KDC, so keytabs are provided, not generated");
                }
                if (principal != null) {
                    if (!principals.add(principal)) {
                        problem(e.getValue(), field + ".principal", "principal '" + principal + "' is used by another service");
                    }
                    services.put(role, new ServiceIdentity(role, principal, keytab));
                }
            }
            return List.copyOf(services.values());
        }

        List<Dataset> datasets(Node node) {
            List<Dataset> datasets = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            List<Node> items = sequence(node, "datasets");
            for (int i = 0; i < items.size(); i++) {
                String field = "datasets[" + i + "]";
                Map<String, Node> m = mapping(items.get(i), field, Set.of("name"), Set.of("partitioning", "retention_days"));
                if (m == null) {
                    continue;
                }
                String name = named(m.get("name"), field + ".name", DATASET_NAME, seen, "dataset");
                Partitioning partitioning = m.containsKey("partitioning")
                        ? enumValue(m.get("partitioning"), field + ".partitioning", Partitioning.class) : Partitioning.HOURLY;
                Integer retention = 30;
                if (m.containsKey("retention_days")) {
                    retention = integer(m.get("retention_days"), field + ".retention_days", 1, 36_500);
                }
                if (name != null && partitioning != null && retention != null) {
                    datasets.add(new Dataset(name, partitioning, retention));
                }
            }
            if (items.isEmpty() && node != null) {
                problem(node, "datasets", "at least one dataset is required");
            }
            return datasets;
        }

        Endpoints endpoints(Node node) {
            Map<String, Node> m = mapping(node, "endpoints", Set.of(), Set.of("kafka", "hdfs", "ca_pem"));
            if (m == null) {
                return Endpoints.embedded();
            }
            Optional<String> bootstrap = Optional.empty();
            if (m.containsKey("kafka")) {
                Map<String, Node> k = mapping(m.get("kafka"), "endpoints.kafka", Set.of("bootstrap"), Set.of());
                String b = k == null ? null : text(k.get("bootstrap"), "endpoints.kafka.bootstrap");
                if (b != null && !b.equals(EMBEDDED)) {
                    boolean ok = true;
                    for (String hp : b.split(",")) {
                        ok &= hostPort(k.get("bootstrap"), "endpoints.kafka.bootstrap", hp.trim());
                    }
                    mentionsOtherEnvironment(k.get("bootstrap"), "endpoints.kafka.bootstrap", b);
                    bootstrap = ok ? Optional.of(b) : Optional.empty();
                }
            }
            Optional<URI> nameNode = Optional.empty();
            Optional<URI> webHdfs = Optional.empty();
            if (m.containsKey("hdfs")) {
                Map<String, Node> h = mapping(m.get("hdfs"), "endpoints.hdfs", Set.of("namenode"), Set.of("webhdfs"));
                if (h != null) {
                    nameNode = uri(h.get("namenode"), "endpoints.hdfs.namenode", "hdfs");
                    webHdfs = h.containsKey("webhdfs") ? uri(h.get("webhdfs"), "endpoints.hdfs.webhdfs", "https")
                            : Optional.empty();
                    if (nameNode.isEmpty() && webHdfs.isPresent()) {
                        problem(h.get("webhdfs"), "endpoints.hdfs.webhdfs", "an embedded NameNode serves its own WebHDFS; remove this or set namenode");
                    }
                }
            }
            Optional<Path> caPem = Optional.empty();
            if (m.containsKey("ca_pem")) {
                String ca = text(m.get("ca_pem"), "endpoints.ca_pem");
                mentionsOtherEnvironment(m.get("ca_pem"), "endpoints.ca_pem", ca);
                caPem = Optional.ofNullable(ca).map(Path::of);
            }
            if ((bootstrap.isPresent() || nameNode.isPresent()) && caPem.isEmpty()) {
                problem(node, "endpoints.ca_pem", "required with real cluster endpoints: the CA (PEM) that signed their TLS certificates");
            }
            if (nameNode.isPresent() && webHdfs.isEmpty() && m.containsKey("hdfs")) {
                problem(m.get("hdfs"), "endpoints.hdfs.webhdfs", "required with a real NameNode: https://host:port of its WebHDFS");
            }
            return new Endpoints(bootstrap, nameNode, webHdfs, caPem);
        }

        void checkPeopleDoNotShadowServices(List<Person> people, List<ServiceIdentity> services, Node at) {
            for (ServiceIdentity s : services) {
                String shortName = EnvironmentNames.shortName(s.principal());
                if (people.stream().anyMatch(p -> p.name().equals(shortName))) {
                    problem(at, "people", "person '" + shortName + "' has the name of the " + s.role().yamlName()
                            + " service's principal: people never share a service's identity");
                }
            }
        }

        // --- readers that know environments (the generic ones are StrictYamlReader's) ---------

        String named(Node node, String field, Pattern pattern, Set<String> seen, String what) {
            String name = text(node, field);
            if (name == null) {
                return null;
            }
            if (!pattern.matcher(name).matches()) {
                problem(node, field, "'" + name + "' is not a valid " + what + " name (" + pattern.pattern() + ")");
                return null;
            }
            if (!seen.add(name)) {
                problem(node, field, "duplicate " + what + " '" + name + "'");
                return null;
            }
            mentionsOtherEnvironment(node, field, name);
            return name;
        }

        String principal(Node node, String field, String realm) {
            String p = text(node, field);
            if (p == null) {
                return null;
            }
            Matcher m = PRINCIPAL.matcher(p);
            if (!m.matches()) {
                problem(node, field, "'" + p + "' is not a valid Kerberos principal (name[/instance][@REALM])");
                return null;
            }
            String principalRealm = m.group(4);
            if (principalRealm != null && realm != null && !principalRealm.equals(realm)) {
                problem(node, field, "principal '" + p + "' is in realm " + principalRealm
                        + ", not this environment's realm " + realm);
                return null;
            }
            // Definitions keep principals without their realm: the environment's realm is added where used.
            return Principals.withoutRealm(p);
        }

        Optional<URI> uri(Node node, String field, String scheme) {
            String v = text(node, field);
            if (v == null || v.equals(EMBEDDED)) {
                return Optional.empty();
            }
            try {
                URI u = new URI(v);
                if (!scheme.equals(u.getScheme()) || u.getHost() == null) {
                    problem(node, field, "'" + v + "' must be a " + scheme + "://host:port URI");
                    return Optional.empty();
                }
                mentionsOtherEnvironment(node, field, v);
                return Optional.of(u);
            } catch (URISyntaxException e) {
                problem(node, field, "'" + v + "' is not a URI: " + e.getReason());
                return Optional.empty();
            }
        }

        /** Refuses a value naming another environment, e.g. a dev service principal svc-etl-prod. */
        void mentionsOtherEnvironment(Node node, String field, String value) {
            if (value == null) {
                return;
            }
            for (String token : value.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
                if (otherEnvironments.contains(token)) {
                    problem(node, field, "'" + value + "' refers to environment '" + token
                            + "': an environment may only name its own resources");
                    return;
                }
            }
        }

    }
}
