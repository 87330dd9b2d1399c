package io.securelake.kerberos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Libraries check the JVM's krb5.conf; only a process's entry point chooses it. */
class KerberosJvmTest {
    @TempDir
    Path dir;

    @Test
    void aLibraryThatNeedsAnotherKrb5ConfIsToldWhatTheProcessMustCall() {
        Path chosen = new Krb5Conf("EXAMPLE.COM", List.of("localhost:1"), Duration.ofHours(1), Duration.ofDays(1))
                .writeTo(dir.resolve("chosen/krb5.conf"));
        Path other = new Krb5Conf("OTHER.COM", List.of("localhost:2"), Duration.ofHours(1), Duration.ofDays(1))
                .writeTo(dir.resolve("other/krb5.conf"));
        KerberosJvm.useKrb5Conf(chosen); // the test plays the process's main

        KerberosJvm.requireKrb5Conf(chosen, "the thing");
        KerberosJvm.requireKrb5Conf(dir.resolve("chosen/../chosen/krb5.conf"), "the same file, spelt otherwise");
        assertThatThrownBy(() -> KerberosJvm.requireKrb5Conf(other, "the ingest producer"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the ingest producer needs this JVM to use krb5.conf " + other.toAbsolutePath() + ", but it uses "
                        + chosen.toAbsolutePath() + ": the process must call KerberosJvm.useKrb5Conf("
                        + other.toAbsolutePath() + ") in its main or CLI entry point first");
        assertThat(KerberosJvm.krb5Conf()).contains(chosen.toAbsolutePath());
        assertThat(KerberosJvm.defaultRealm()).as("checking changed nothing").isEqualTo("EXAMPLE.COM");
    }
}
