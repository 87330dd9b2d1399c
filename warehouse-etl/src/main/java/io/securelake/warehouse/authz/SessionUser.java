package io.securelake.warehouse.authz;

import io.securelake.envs.EnvironmentNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.spark.sql.catalyst.CurrentUserContext;

/**
 * Whom a statement runs for.
 * <ul>
 * <li>The Spark Thrift Server sets {@link CurrentUserContext#CURRENT_USER()} around every operation of a
 * session to the session's user: the end user Knox asserted ({@code hive.server2.proxy.user}), or the
 * Kerberos client. The server itself runs as its own principal, so {@code onBehalf} is true: files
 * the statement names by path are read with the server's rights, not the user's, and need Ranger's
 * {@code url} privileges.</li>
 * <li>Otherwise (ETL jobs, spark-submit, tests under {@code UserGroupInformation.doAs}) the user is the
 * process's Hadoop user, whose own Kerberos identity HDFS checks for every path it touches.</li>
 * </ul>
 *
 * @param name     short name, as Ranger policies and the environment's groups name users
 * @param onBehalf the process acts for a user other than itself
 */
record SessionUser(String name, boolean onBehalf) {

    static SessionUser current() {
        String process = processUser();
        String asserted = CurrentUserContext.CURRENT_USER().get();
        if (asserted != null && !asserted.isBlank()) {
            String user = EnvironmentNames.shortName(asserted.strip());
            return new SessionUser(user, !user.equals(process));
        }
        return new SessionUser(process, false);
    }

    private static String processUser() {
        try {
            return UserGroupInformation.getCurrentUser().getShortUserName();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot determine the Hadoop user of this process", e);
        }
    }
}
