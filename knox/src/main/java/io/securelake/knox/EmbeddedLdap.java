package io.securelake.knox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.directory.api.ldap.model.entry.DefaultModification;
import org.apache.directory.api.ldap.model.entry.ModificationOperation;
import org.apache.directory.api.ldap.model.name.Dn;
import org.apache.directory.server.core.api.CoreSession;
import org.apache.directory.server.core.api.DirectoryService;
import org.apache.directory.server.core.api.partition.Partition;
import org.apache.directory.server.core.factory.DefaultDirectoryServiceFactory;
import org.apache.directory.server.core.factory.JdbmPartitionFactory;
import org.apache.directory.server.ldap.LdapServer;
import org.apache.directory.server.protocol.shared.store.LdifFileLoader;
import org.apache.directory.server.protocol.shared.transport.TcpTransport;
import org.apache.knox.gateway.security.ldap.SimpleDirectoryService;

/**
 * The environment's directory: Knox's demo ApacheDS ({@link SimpleDirectoryService}, as its
 * {@code SimpleLdapDirectoryServer} builds it) loaded from the generated LDIF, listening on 127.0.0.1 only,
 * and hardened beyond the demo: access control on (people may bind, i.e. authenticate, but not read or
 * change entries — no one adds himself to a group), no anonymous access, passwords hidden from searches,
 * and the built-in {@code uid=admin,ou=system} (demo password "secret") given a random password that only
 * the gateway knows (Knox's group lookups bind with it).
 */
public final class EmbeddedLdap implements AutoCloseable {
    public static final String ADMIN_DN = "uid=admin,ou=system";

    /** The system property ApacheDS reads its instance directory from. */
    public static final String WORKING_DIRECTORY_PROPERTY = "workingDirectory";

    private final DirectoryService service;
    private final LdapServer server;
    private final int port;

    private EmbeddedLdap(DirectoryService service, LdapServer server, int port) {
        this.service = service;
        this.server = server;
        this.port = port;
    }

    /**
     * @param workDir     instance directory (emptied first: the directory is rebuilt from the LDIF at each start)
     * @param adminSecret the new password of {@value #ADMIN_DN}
     */
    public static EmbeddedLdap start(String baseDn, Path ldif, Path workDir, String host, int port, String adminSecret)
            throws Exception {
        Files.createDirectories(workDir.getParent());
        Secrets.ownerOnlyDirectory(workDir.getParent());
        // ApacheDS reads its instance directory from a JVM-wide property (else java.io.tmpdir) and empties it: the
        // process sets it, a library does not (GatewayMain, from KnoxGateway.systemProperties).
        String instance = workDir.toAbsolutePath().toString();
        String configured = System.getProperty(WORKING_DIRECTORY_PROPERTY);
        if (!instance.equals(configured)) {
            throw new IllegalStateException("ApacheDS takes its instance directory from the system property "
                    + WORKING_DIRECTORY_PROPERTY + ", which is " + (configured == null ? "unset" : configured)
                    + ": the process must set it to " + instance + " before starting the directory");
        }
        DirectoryService service = new SimpleDirectoryService();
        service.setShutdownHookEnabled(false);
        JdbmPartitionFactory partitions = new JdbmPartitionFactory();
        DefaultDirectoryServiceFactory factory = new DefaultDirectoryServiceFactory(service, partitions);
        factory.init("securelake");
        service = factory.getDirectoryService();
        Partition partition = partitions.createPartition(service.getSchemaManager(), service.getDnFactory(),
                "users", baseDn, 500, service.getInstanceLayout().getInstanceDirectory());
        service.addPartition(partition);
        CoreSession admin = service.getAdminSession();
        new LdifFileLoader(admin, ldif.toFile(), null).execute();
        if (!admin.exists(new Dn(service.getSchemaManager(), baseDn))) {
            throw new IllegalStateException("the directory LDIF " + ldif + " did not create " + baseDn);
        }
        admin.modify(new Dn(service.getSchemaManager(), ADMIN_DN), new DefaultModification(
                ModificationOperation.REPLACE_ATTRIBUTE, "userPassword", DirectoryLayout.hashed(adminSecret)));
        service.setAccessControlEnabled(true);
        service.setAllowAnonymousAccess(false);
        service.setPasswordHidden(true);

        TcpTransport transport = new TcpTransport(host, port);
        LdapServer server = new LdapServer();
        server.setTransports(transport);
        server.setDirectoryService(service);
        try {
            server.start();
        } catch (Exception e) {
            service.shutdown();
            throw e;
        }
        int bound = transport.getAcceptor().getLocalAddress().getPort();
        return new EmbeddedLdap(service, server, bound);
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } finally {
            try {
                service.shutdown();
            } catch (Exception e) {
                // stopping: nothing left to do with the directory
            }
        }
    }

    /** Removes a previous run's instance directory (the directory is rebuilt from the LDIF at each start). */
    static void clean(Path workDir) throws IOException {
        if (Files.exists(workDir)) {
            try (var s = Files.walk(workDir)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
