package io.securelake.platform.local;

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
 * bookmarks stay valid across {@code down}/{@code up}.
 */
public record LocalPorts(int kdc, int kafka, int kafkaController, int nameNode, int nameNodeHttps) {

    public static LocalPorts loadOrAllocate(Path file) {
        if (Files.exists(file)) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
            LocalPorts ports = new LocalPorts(get(p, "kdc", file), get(p, "kafka", file), get(p, "kafka.controller", file),
                    get(p, "hdfs.namenode", file), get(p, "hdfs.namenode.https", file));
            return ports;
        }
        Set<Integer> taken = new HashSet<>();
        LocalPorts ports = new LocalPorts(free(taken), free(taken), free(taken), free(taken), free(taken));
        Properties p = new Properties();
        p.setProperty("kdc", Integer.toString(ports.kdc));
        p.setProperty("kafka", Integer.toString(ports.kafka));
        p.setProperty("kafka.controller", Integer.toString(ports.kafkaController));
        p.setProperty("hdfs.namenode", Integer.toString(ports.nameNode));
        p.setProperty("hdfs.namenode.https", Integer.toString(ports.nameNodeHttps));
        try (OutputStream out = Files.newOutputStream(file)) {
            p.store(out, "Ports of the local stack, chosen on first start and kept");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return ports;
    }

    private static int get(Properties p, String key, Path file) {
        String v = p.getProperty(key);
        if (v == null) {
            throw new IllegalStateException(file + " has no port '" + key + "'; delete the file to choose new ports");
        }
        return Integer.parseInt(v.trim());
    }

    private static int free(Set<Integer> taken) {
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
}
