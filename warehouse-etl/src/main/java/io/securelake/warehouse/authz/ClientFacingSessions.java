package io.securelake.warehouse.authz;

import java.lang.reflect.Field;
import java.util.Map;
import org.apache.hive.service.cli.CLIService;
import org.apache.hive.service.cli.HiveSQLException;
import org.apache.hive.service.cli.SessionHandle;
import org.apache.hive.service.cli.operation.OperationManager;
import org.apache.hive.service.cli.session.HiveSession;
import org.apache.hive.service.cli.session.SessionManager;
import org.apache.hive.service.rpc.thrift.TProtocolVersion;
import org.apache.spark.sql.catalyst.CurrentUserContext;

/**
 * The session manager the CLI service talks to: Spark's, except that a session that cannot be opened is told to the
 * client as {@link ClientErrors} tells a failed statement. Hive wraps any failure to open as "Failed to open new
 * session: " + the exception, and the Thrift server sends that exception's every frame and cause along (an analyst
 * naming a database that does not exist got the server's classes and line numbers; a metastore or Kerberos failure
 * sent its whole stack). The CLI service asks its session manager for four things, all passed on to Spark's.
 *
 * <p>{@code username} is the session's user as the Thrift service established it: the person the gateway asserted
 * ({@code hive.server2.proxy.user}, honoured only for a principal allowed to impersonate), else the Kerberos client.
 */
public final class ClientFacingSessions extends SessionManager {
    private final SessionManager spark;

    private ClientFacingSessions(SessionManager spark) {
        super(null); // never initialised or started: everything is Spark's manager's
        this.spark = spark;
    }

    /** Puts itself between {@code cli} and its (already running) session manager. */
    public static void install(CLIService cli) {
        SessionManager spark = cli.getSessionManager();
        try {
            Field f = CLIService.class.getDeclaredField("sessionManager");
            f.setAccessible(true);
            f.set(cli, new ClientFacingSessions(spark));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot install the client-facing session manager (CLIService.sessionManager):"
                    + " refusing to send clients the server's stack traces", e);
        }
    }

    @Override
    public SessionHandle openSession(TProtocolVersion protocol, String username, String password, String ipAddress,
                                     Map<String, String> sessionConf, boolean withImpersonation, String delegationToken)
            throws HiveSQLException {
        // Opening runs SQL of the client's (USE <the JDBC URL's database>): decided and audited as the session's user,
        // as Spark's operations are, not as the server (whom the Ranger extension saw here before).
        String before = CurrentUserContext.CURRENT_USER().get();
        CurrentUserContext.CURRENT_USER().set(username);
        try {
            return spark.openSession(protocol, username, password, ipAddress, sessionConf, withImpersonation,
                    delegationToken);
        } catch (HiveSQLException e) {
            throw ClientErrors.sessionNotOpened(e);
        } catch (RuntimeException e) {
            throw ClientErrors.sessionNotOpened(new HiveSQLException(e));
        } finally {
            CurrentUserContext.CURRENT_USER().set(before);
        }
    }

    @Override
    public void closeSession(SessionHandle sessionHandle) throws HiveSQLException {
        spark.closeSession(sessionHandle);
    }

    @Override
    public HiveSession getSession(SessionHandle sessionHandle) throws HiveSQLException {
        return spark.getSession(sessionHandle);
    }

    @Override
    public OperationManager getOperationManager() {
        return spark.getOperationManager();
    }

    @Override
    public int getOpenSessionCount() {
        return spark.getOpenSessionCount();
    }
}
