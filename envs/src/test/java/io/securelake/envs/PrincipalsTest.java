package io.securelake.envs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PrincipalsTest {
    private static final String REALM = "DEV.SECURELAKE.LOCAL";

    @Test
    void aPersonOrServiceGetsTheRealm() {
        assertThat(Principals.qualify("alice", REALM)).isEqualTo("alice@DEV.SECURELAKE.LOCAL");
        assertThat(Principals.qualify("svc-ingest-dev", REALM)).isEqualTo("svc-ingest-dev@DEV.SECURELAKE.LOCAL");
    }

    @Test
    void hostBasedServicePrincipalsKeepTheirInstance() {
        assertThat(Principals.qualify("HTTP/localhost", REALM)).isEqualTo("HTTP/localhost@DEV.SECURELAKE.LOCAL");
        assertThat(Principals.qualify("HTTP/127.0.0.1", REALM)).isEqualTo("HTTP/127.0.0.1@DEV.SECURELAKE.LOCAL");
        assertThat(Principals.withoutRealm("kafka/localhost@DEV.SECURELAKE.LOCAL")).isEqualTo("kafka/localhost");
        assertThat(Principals.shortName("kafka/localhost@DEV.SECURELAKE.LOCAL")).isEqualTo("kafka");
        assertThat(Principals.shortName("hdfs/_HOST")).isEqualTo("hdfs");
    }

    @Test
    void anAlreadyQualifiedPrincipalIsReturnedAsItIs() {
        assertThat(Principals.qualify("alice@DEV.SECURELAKE.LOCAL", REALM)).isEqualTo("alice@DEV.SECURELAKE.LOCAL");
        // Cross-realm clients are legitimate: qualify never rewrites a realm.
        assertThat(Principals.qualify("x@OTHER", REALM)).isEqualTo("x@OTHER");
        assertThat(Principals.qualifyInRealm("alice@DEV.SECURELAKE.LOCAL", REALM)).isEqualTo("alice@DEV.SECURELAKE.LOCAL");
    }

    @Test
    void aForeignRealmIsRefusedWhereOnlyOneRealmIsServed() {
        assertThatThrownBy(() -> Principals.qualifyInRealm("svc/localhost@OTHER.COM", REALM))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("principal svc/localhost@OTHER.COM is in realm OTHER.COM, not in realm DEV.SECURELAKE.LOCAL");
    }

    @Test
    void backToShortNames() {
        assertThat(Principals.withoutRealm("svc-knox-dev@DEV.SECURELAKE.LOCAL")).isEqualTo("svc-knox-dev");
        assertThat(Principals.withoutRealm("svc-knox-dev")).isEqualTo("svc-knox-dev");
        assertThat(Principals.shortName("alice@R")).isEqualTo("alice");
        assertThat(Principals.shortName("alice")).isEqualTo("alice");
        // Only this realm is taken off: another realm's principal stays recognisable as foreign.
        assertThat(Principals.withoutRealm("alice@DEV.SECURELAKE.LOCAL", REALM)).isEqualTo("alice");
        assertThat(Principals.withoutRealm("alice@EVIL.COM", REALM)).isEqualTo("alice@EVIL.COM");
        assertThat(Principals.withoutRealm("alice", REALM)).isEqualTo("alice");
    }

    @Test
    void theRealmStartsAtTheFirstUnescapedAt() {
        assertThat(Principals.realm("a\\@b@R")).contains("R");
        assertThat(Principals.withoutRealm("a\\@b@R")).isEqualTo("a\\@b");
        assertThat(Principals.isQualified("a\\@b")).isFalse();
        assertThat(Principals.qualify("a\\@b", REALM)).isEqualTo("a\\@b@DEV.SECURELAKE.LOCAL");
        assertThat(Principals.realm("alice")).isEmpty();
        assertThat(Principals.isQualified("alice@R")).isTrue();
        assertThat(Principals.isQualified("alice@")).as("an empty realm is no realm").isFalse();
    }

    @Test
    void blankNamesEmptyRealmsAndBlankRealmsAreRefused() {
        assertThatThrownBy(() -> Principals.qualify(" ", REALM)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no name");
        assertThatThrownBy(() -> Principals.qualify("@R", REALM)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no name");
        assertThatThrownBy(() -> Principals.qualify("alice@", REALM)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("principal 'alice@' names an empty realm");
        assertThatThrownBy(() -> Principals.qualify("alice", " ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("realm must not be blank");
    }
}
