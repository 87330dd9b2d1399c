package io.securelake.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.securelake.devstack.local.LocalPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local stack's ports: chosen once, distinct, outside the kernel's range for outgoing connections. */
class LocalPortsTest {

    @Test
    void portsAreDistinctBelowTheEphemeralRangeAndKept(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ports.properties");
        LocalPorts first = LocalPorts.loadOrAllocate(file);
        List<Integer> ports = List.of(first.kdc(), first.kafka(), first.kafkaController(), first.nameNode(),
                first.nameNodeHttps(), first.kms(), first.queryServer(), first.gateway(), first.ldap());
        assertThat(ports).doesNotHaveDuplicates().allSatisfy(p -> assertThat(p).isBetween(1_024, 65_535));
        int[] ephemeral = IntStream.of(32_768, 60_999).toArray();
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        if (Files.exists(range)) {
            try (var in = Files.newBufferedReader(range)) {
                ephemeral = java.util.Arrays.stream(in.readLine().trim().split("\\s+")).mapToInt(Integer::parseInt).toArray();
            }
        }
        int low = ephemeral[0];
        int high = ephemeral[1];
        if (low > 21_000) { // room below the kernel's range (the Linux default starts at 32768)
            assertThat(ports).allSatisfy(p -> assertThat(p).isBetween(20_000, low - 1));
        }
        assertThat(high).isGreaterThanOrEqualTo(low);
        assertThat(LocalPorts.loadOrAllocate(file)).isEqualTo(first);
    }
}
