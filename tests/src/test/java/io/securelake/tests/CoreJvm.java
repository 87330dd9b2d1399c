package io.securelake.tests;

import io.securelake.devstack.hdfs.EmbeddedHdfs;
import io.securelake.devstack.local.CoreStack;
import io.securelake.envs.Environment;
import io.securelake.kerberos.KerberosJvm;
import io.securelake.operations.connect.StackHome;

/**
 * The JVM-wide settings a test JVM running a {@link CoreStack} in-process makes first, as {@code ComponentProcess}'s main
 * does in the real core: the stack and its clients only check them.
 */
public final class CoreJvm {
    private CoreJvm() {
    }

    /** Sets WebHDFS' JAXB switch and points the JVM at the stack's krb5.conf; returns {@code home} for the start. */
    public static StackHome prepare(Environment env, StackHome home) {
        System.setProperty(EmbeddedHdfs.JAXB_NO_OPTIMIZE, "true");
        KerberosJvm.useKrb5Conf(CoreStack.writeKrb5Conf(env, home));
        return home;
    }
}
