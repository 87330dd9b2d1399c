package io.securelake.warehouse.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.securelake.devstack.kdc.EmbeddedKdc;
import io.securelake.devstack.kdc.KdcSettings;
import io.securelake.devstack.kdc.RealmSecrets;
import io.securelake.kerberos.KerberosJvm;
import java.io.IOException;
import java.nio.file.Path;
import java.security.AccessController;
import java.security.PrivilegedAction;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.security.auth.Subject;
import javax.security.auth.kerberos.KerberosTicket;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.security.UserGroupInformation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Hadoop login user whose re-login ran while the KDC was away is left with no ticket at all (Hadoop logs out before
 * it logs in), which is what a query server met when a handshake failed during a KDC outage. The keeper, looking every
 * few seconds, logs it in again once the KDC answers, without waiting for a client's call to fail. Runs in a JVM of
 * its own (the {@code kerberos-login} execution): it makes Kerberos this JVM's Hadoop security.
 */
class LoginUserKeeperTest {
    private static final String SERVICE = "svc-query-dev";

    @Test
    void aLoginLeftWithoutTicketsByAKdcOutageIsLoggedInAgainOnceTheKdcIsBack(@TempDir Path dir) throws Exception {
        KdcSettings settings = KdcSettings.localhost("EXAMPLE.COM", dir.resolve("kdc"));
        Path keytab = dir.resolve("svc.keytab");
        KdcSettings again;
        UserGroupInformation user;
        try (EmbeddedKdc kdc = EmbeddedKdc.start(settings, null, RealmSecrets.inWorkDir(settings))) {
            KerberosJvm.useKrb5Conf(kdc.krb5Conf());
            kdc.ensurePrincipal(SERVICE);
            kdc.exportKeytab(SERVICE, keytab);
            Configuration conf = new Configuration(false);
            conf.set("hadoop.security.authentication", "kerberos");
            conf.set("hadoop.kerberos.min.seconds.before.relogin", "1");
            UserGroupInformation.setConfiguration(conf);
            UserGroupInformation.loginUserFromKeytab(kdc.qualify(SERVICE), keytab.toString());
            user = UserGroupInformation.getLoginUser();
            assertThat(tgts(user)).as("the first login").hasSize(1);
            again = settings.withPort(kdc.port());
        }

        // What Hadoop's RPC client does after a failed handshake: a re-login, here while the KDC is away.
        assertThatThrownBy(user::forceReloginFromKeytab).isInstanceOf(IOException.class);
        assertThat(tgts(user)).as("Hadoop logged out before the login failed").isEmpty();

        assertThat(LoginUserKeeper.holdsTgt(user)).isFalse();
        List<String> said = new CopyOnWriteArrayList<>();
        CountDownLatch failing = new CountDownLatch(1);
        CountDownLatch restored = new CountDownLatch(1);
        try (LoginUserKeeper keeper = LoginUserKeeper.start(Duration.ofMillis(200), line -> {
            said.add(line);
            (line.contains("works again") ? restored : failing).countDown();
        })) {
            assertThat(failing.await(30, TimeUnit.SECONDS)).as("the keeper trying while the KDC is away: %s", said).isTrue();
            assertThat(keeper.failing()).isTrue();
            assertThat(tgts(user)).as("nothing to log in with while the KDC is away").isEmpty();
            try (EmbeddedKdc back = EmbeddedKdc.start(again, null, RealmSecrets.inWorkDir(again))) {
                back.ensurePrincipal(SERVICE); // the same keys, from the stored realm secret
                assertThat(restored.await(30, TimeUnit.SECONDS)).as("logged in again: %s", said).isTrue();
                assertThat(tgts(user)).as("the TGT of the new login").hasSize(1);
                assertThat(LoginUserKeeper.holdsTgt(user)).isTrue();
                assertThat(keeper.failing()).isFalse();
            }
        }
        assertThat(said).hasSize(2);
        assertThat(said.get(0)).startsWith("Kerberos login of " + SERVICE + "@EXAMPLE.COM failed, trying again: ");
        assertThat(said.get(1)).isEqualTo("Kerberos login of " + SERVICE + "@EXAMPLE.COM works again");
    }

    @SuppressWarnings("removal") // the Subject a doAs runs under: how Hadoop's own code reaches it
    private static List<KerberosTicket> tgts(UserGroupInformation user) {
        Subject subject = user.doAs((PrivilegedAction<Subject>) () -> Subject.getSubject(AccessController.getContext()));
        return subject.getPrivateCredentials(KerberosTicket.class).stream()
                .filter(t -> t.getServer().getName().startsWith("krbtgt/")).toList();
    }
}
