package io.securelake.warehouse.authz;

import io.securelake.envs.EnvironmentNames;
import java.lang.reflect.Field;
import java.util.UUID;
import org.apache.hive.service.cli.FetchOrientation;
import org.apache.hive.service.cli.HiveSQLException;
import org.apache.hive.service.cli.OperationHandle;
import org.apache.hive.service.cli.RowSet;
import org.apache.hive.service.cli.RowSetFactory;
import org.apache.hive.service.cli.TableSchema;
import org.apache.hive.service.cli.operation.GetColumnsOperation;
import org.apache.hive.service.cli.operation.GetSchemasOperation;
import org.apache.hive.service.cli.operation.GetTablesOperation;
import org.apache.hive.service.cli.operation.Operation;
import org.apache.hive.service.cli.operation.OperationManager;
import org.apache.hive.service.cli.session.SessionManager;
import org.apache.hive.service.rpc.thrift.TRowSet;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.hive.thriftserver.server.SparkSQLOperationManager;

/**
 * The query server's operations, governed. Statements fail towards the client with one message and no
 * stack trace ({@link ClientErrors}).
 * <p>JDBC metadata calls ({@code getSchemas}, {@code getTables}, {@code getColumns}) do not go through the
 * analyser, so the Spark SQL rules never see them: the Thrift server lists the catalog directly. This
 * operation manager filters their results instead, row by row, to the databases, tables and columns the
 * session's user may see (Ranger's {@code _any} access, the same rule as {@code SHOW}), deciding and
 * auditing as that user. If authorization is unavailable, nothing is listed.
 */
public final class GovernedOperationManager extends SparkSQLOperationManager {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(GovernedOperationManager.class);
    private final SparkContext sparkContext;
    /**
     * Where metadata listings run. The Thrift server holds two embedded Hive metastores in one JVM: the real
     * one and Spark's in-memory "execution" one, and Hive 2.3's metastore handler keeps its configuration in
     * a static thread-local set by whichever metastore a thread served first. A handler thread that had served
     * the execution metastore then listed the real catalog from the empty in-memory database: an analyst's
     * {@code getTables} intermittently came back empty (seen in the log as {@code get_databases} opening a
     * raw store on the in-memory Derby). This thread only ever serves the real catalog.
     */
    private final java.util.concurrent.ExecutorService catalogThread = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "metadata-catalog");
        t.setDaemon(true);
        return t;
    });

    private GovernedOperationManager(SparkContext sparkContext) {
        this.sparkContext = sparkContext;
    }

    /**
     * Statements as Spark runs them, except that a failure reaches the client as {@link ClientErrors} says:
     * a failed background statement through the operation's exception, a failed synchronous one thrown
     * from {@code run}.
     */
    @Override
    public synchronized org.apache.hive.service.cli.operation.ExecuteStatementOperation newExecuteStatementOperation(
            org.apache.hive.service.cli.session.HiveSession session, String statement,
            java.util.Map<String, String> confOverlay, boolean async, long queryTimeout) {
        org.apache.spark.sql.SQLContext ctx = context(session);
        boolean background = async && (Boolean) ctx.sessionState().conf()
                .getConf(org.apache.spark.sql.hive.HiveUtils$.MODULE$.HIVE_THRIFT_SERVER_ASYNC());
        return register(new org.apache.spark.sql.hive.thriftserver.SparkExecuteStatementOperation(ctx, session, statement,
                confOverlay, background, queryTimeout) {
            @Override
            protected void setOperationException(HiveSQLException e) {
                super.setOperationException(ClientErrors.forClient(e));
            }

            @Override
            public void run() {
                try {
                    super.run();
                } catch (Exception e) {
                    // Scala declares no checked exception; Hive's HiveSQLException comes through all the same.
                    if (e instanceof HiveSQLException h) {
                        throw sneaky(ClientErrors.forClient(h));
                    }
                    throw e;
                }
            }
        });
    }

    @Override
    public synchronized org.apache.hive.service.cli.operation.MetadataOperation newGetTablesOperation(
            org.apache.hive.service.cli.session.HiveSession session, String catalog, String schema, String table,
            java.util.List<String> types) {
        return register(new org.apache.spark.sql.hive.thriftserver.SparkGetTablesOperation(context(session), session,
                catalog, schema, table, types) {
            @Override
            public void runInternal() {
                onCatalogThread(super::runInternal);
            }
        });
    }

    @Override
    public synchronized GetSchemasOperation newGetSchemasOperation(org.apache.hive.service.cli.session.HiveSession session,
                                                                   String catalog, String schema) {
        return register(new org.apache.spark.sql.hive.thriftserver.SparkGetSchemasOperation(context(session), session,
                catalog, schema) {
            @Override
            public void runInternal() {
                onCatalogThread(super::runInternal);
            }
        });
    }

    @Override
    public synchronized GetColumnsOperation newGetColumnsOperation(org.apache.hive.service.cli.session.HiveSession session,
                                                                   String catalog, String schema, String table, String column) {
        return register(new org.apache.spark.sql.hive.thriftserver.SparkGetColumnsOperation(context(session), session,
                catalog, schema, table, column) {
            @Override
            public void runInternal() {
                onCatalogThread(super::runInternal);
            }
        });
    }

    private org.apache.spark.sql.SQLContext context(org.apache.hive.service.cli.session.HiveSession session) {
        org.apache.spark.sql.SQLContext ctx = sessionToContexts().get(session.getSessionHandle());
        if (ctx == null) {
            throw new IllegalStateException("session " + session.getSessionHandle() + " has not been initialized or has already been closed");
        }
        return ctx;
    }

    private <T extends Operation> T register(T op) {
        handleToOperation().put(op.getHandle(), op);
        return op;
    }

    /** Runs a listing on the catalog thread and waits; its failure is the operation's. */
    private void onCatalogThread(Runnable listing) {
        java.util.concurrent.Future<?> done = catalogThread.submit(listing);
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            done.cancel(true);
            throw new IllegalStateException("interrupted while listing the catalog", e);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            // HiveSQLException and the like: Scala code throws checked exceptions undeclared; so do we.
            throw sneaky(cause);
        }
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> RuntimeException sneaky(Throwable t) throws E {
        throw (E) t;
    }

    /**
     * Replaces the Thrift server's operation manager with this one; call it after the server started and
     * before it accepts sessions. The Spark Thrift Server offers no hook for this, hence reflection on the
     * two fields that hold the manager (Spark itself sets them the same way).
     */
    public static void install(SessionManager sessionManager, SparkContext sparkContext) {
        GovernedOperationManager manager = new GovernedOperationManager(sparkContext);
        // Spark's manager finds Hive's operation map through "the superclass" of its runtime class, which for
        // a subclass is Spark's own class: point its field at Hive's map as it would for itself.
        set(SparkSQLOperationManager.class, manager, "handleToOperation", get(OperationManager.class, manager, "handleToOperation"));
        manager.init(sessionManager.getHiveConf());
        manager.start();
        OperationManager previous = sessionManager.getOperationManager();
        set(SessionManager.class, sessionManager, "operationManager", manager);
        set(sessionManager.getClass(), sessionManager, "sparkSqlOperationManager", manager);
        previous.stop();
    }

    private static Object get(Class<?> owner, Object target, String field) {
        try {
            Field f = owner.getDeclaredField(field);
            f.setAccessible(true);
            return f.get(target);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot install metadata filtering (" + owner.getName() + "." + field
                    + "): refusing to serve unfiltered JDBC metadata", e);
        }
    }

    private static void set(Class<?> owner, Object target, String field, Object value) {
        try {
            Field f = owner.getDeclaredField(field);
            f.setAccessible(true);
            f.set(target, value);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot install metadata filtering (" + owner.getName() + "." + field
                    + "): refusing to serve unfiltered JDBC metadata", e);
        }
    }

    @Override
    public synchronized void stop() {
        catalogThread.shutdownNow();
        super.stop();
    }

    @Override
    public TRowSet getOperationNextRowSet(OperationHandle handle, FetchOrientation orientation, long maxRows)
            throws HiveSQLException {
        TRowSet rows = super.getOperationNextRowSet(handle, orientation, maxRows);
        Operation op = getOperation(handle);
        int[] keys;
        if (op instanceof GetSchemasOperation) {
            keys = new int[] {0};                // TABLE_SCHEM
        } else if (op instanceof GetTablesOperation) {
            keys = new int[] {1, 2};             // TABLE_SCHEM, TABLE_NAME
        } else if (op instanceof GetColumnsOperation) {
            keys = new int[] {1, 2, 3};          // TABLE_SCHEM, TABLE_NAME, COLUMN_NAME
        } else {
            return rows;
        }
        return filter(rows, op, keys);
    }

    private TRowSet filter(TRowSet rows, Operation op, int[] keys) throws HiveSQLException {
        AuthzRuntime runtime = AuthzRuntime.of(sparkContext);
        RowSet in;
        try {
            in = RowSetFactory.create(rows, op.getProtocolVersion());
        } catch (org.apache.thrift.TException e) {
            throw new HiveSQLException("cannot read the metadata result", e);
        }
        RowSet out = RowSetFactory.create(new TableSchema(op.getResultSetSchema()), op.getProtocolVersion(), false);
        out.setStartOffset(in.getStartOffset());
        if (runtime.failure().isPresent()) {
            return out.toTRowSet();
        }
        String user = EnvironmentNames.shortName(op.getParentSession().getUserName());
        Authorizer authz = new Authorizer(runtime, new SessionUser(user, true), "metadata-" + UUID.randomUUID());
        int total = 0;
        for (Object[] row : in) {
            total++;
            HiveResource resource = switch (keys.length) {
                case 1 -> HiveResource.database(String.valueOf(row[keys[0]]));
                case 2 -> HiveResource.table(String.valueOf(row[keys[0]]), String.valueOf(row[keys[1]]));
                default -> HiveResource.column(String.valueOf(row[keys[0]]), String.valueOf(row[keys[1]]),
                        String.valueOf(row[keys[2]]));
            };
            if (authz.visible(resource)) {
                out.addRow(row);
            }
        }
        LOG.info("metadata for {}: {} of {} rows visible ({})", user, out.numRows(), total, op.getClass().isAnonymousClass()
                ? op.getClass().getSuperclass().getSimpleName() : op.getClass().getSimpleName());
        return out.toTRowSet();
    }
}
