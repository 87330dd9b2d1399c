package io.securelake.devstack.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;

/**
 * Ports of the local stack. Chosen free on first start and kept, so that krb5.conf, kcat configs and
 * bookmarks stay valid across {@code down}/{@code up}; a port a newer version needs is added then.
 */
public record LocalPorts(int kdc, int kafka, int kafkaController, int nameNode, int nameNodeHttps, int kms,
                         int queryServer, int gateway, int ldap) {
    private static final String[] KEYS = {"kdc", "kafka", "kafka.controller", "hdfs.namenode", "hdfs.namenode.https", "kms",
            "query.http", "gateway.https", "ldap"};

    public static LocalPorts loadOrAllocate(Path file) {
        Properties p = new Properties();
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        Set<Integer> taken = new HashSet<>();
        p.values().forEach(v -> taken.add(Integer.parseInt(v.toString().trim())));
        boolean changed = false;
        int below = ephemeralRangeStart();
        java.util.random.RandomGenerator random = new java.util.SplittableRandom();
        for (String key : KEYS) {
            if (p.getProperty(key) == null) {
                p.setProperty(key, Integer.toString(free(taken, below, random)));
                changed = true;
            }
        }
        if (changed) {
            try (OutputStream out = Files.newOutputStream(file)) {
                p.store(out, "Ports of the local stack, chosen on first start and kept");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file, e);
            }
        }
        int[] v = new int[KEYS.length];
        for (int i = 0; i < KEYS.length; i++) {
            v[i] = Integer.parseInt(p.getProperty(KEYS[i]).trim());
        }
        return new LocalPorts(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
    }

    /** Above well-known services; the top is the start of the kernel's ephemeral range (Linux default 32768). */
    static final int FIRST = 20_000;

    /**
     * A port that is free now and below the kernel's ephemeral range: a port the kernel hands out as the local
     * end of outgoing connections (the stack's own clients make hundreds while starting) can be taken by one
     * of them between this choice and the server binding it ("Port in use" at start).
     */
    private static int free(Set<Integer> taken, int ephemeralStart, java.util.random.RandomGenerator random) {
        int last = ephemeralStart - 1;
        if (last - FIRST < 1_000) {
            return anyFree(taken); // an unusual kernel setting: no room below its range
        }
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = FIRST + random.nextInt(last - FIRST + 1);
            if (taken.contains(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                taken.add(port);
                return s.getLocalPort();
            } catch (IOException inUse) {
                // try another
            }
        }
        return anyFree(taken);
    }

    private static int anyFree(Set<Integer> taken) {
        while (true) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (taken.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot find a free port on the loopback interface", e);
            }
        }
    }

    private static int ephemeralRangeStart() {
        try {
            // Read as a stream: procfs reports a size of 0, and Files.readString then returns a single character.
            try (var in = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
                return Integer.parseInt(in.readLine().trim().split("\\s+")[0]);
            }
        } catch (IOException | RuntimeException notLinux) {
            return 32_768;
        }
    }
}
