package io.securelake.warehouse.authz;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.UUID;
import org.apache.hive.service.cli.HiveSQLException;
import org.apache.spark.sql.AnalysisException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a JDBC client is told when its statement fails: one message, never a stack trace. The Thrift
 * server sends a failed operation's exception as text ({@code stringifyException}: class names, every
 * frame, every cause), which tells an attacker the server's code and versions and may carry paths and
 * configuration. Here the client gets:
 * <ul>
 * <li>a refusal: its message ({@code Permission denied: user [alice] may not use [TRANSFORM … USING]: …});</li>
 * <li>an error in the statement itself (parse error, unknown table or column: Spark's
 * {@link AnalysisException}): its message, which is about the text the person sent;</li>
 * <li>HDFS not answering (a NameNode restarting, a DataNode down): that the storage is not reachable right now;</li>
 * <li>anything else: that the statement failed on the server, with an id to find it in the server log.</li>
 * </ul>
 * The full exception is logged with the same id.
 */
final class ClientErrors {
    private static final Logger LOG = LoggerFactory.getLogger(ClientErrors.class);
    private static final int MAX_MESSAGE = 2_000;

    private ClientErrors() {
    }

    /** The exception to hand to the client in place of {@code e} (already safe ones are returned as they are). */
    static HiveSQLException forClient(HiveSQLException e) {
        return forClient(e, "statement failed", "the statement failed");
    }

    /** The same for a session that could not be opened (a database that does not exist, a metastore failure). */
    static HiveSQLException sessionNotOpened(HiveSQLException e) {
        return forClient(e, "session not opened", "the session could not be opened");
    }

    private static HiveSQLException forClient(HiveSQLException e, String logged, String told) {
        if (e instanceof ForClient) {
            return e;
        }
        String id = UUID.randomUUID().toString().substring(0, 8);
        String message = clientMessage(e, id, told);
        LOG.warn("{} (error id {}); the client is told: {}", logged, id, message, e);
        return new ForClient(message, e.getSQLState(), e.getErrorCode());
    }

    private static String clientMessage(Throwable e, String id, String failed) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AccessDeniedException) {
                return oneLine(t.getMessage());
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (storageUnavailable(t)) {
                // Which node, host or port is the administrator's to read in the log; the person learns that it is
                // the storage, that it is not their statement, and that it may come back.
                return "the warehouse's storage (HDFS) of this query server is not reachable right now (it may be "
                        + "restarting): try again in a moment (error id " + id + ")";
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AnalysisException a) {
                // Without the analysed plan getMessage appends (it shows the injected row filters and masks), and
                // without "Did you mean": analysis runs before authorization, so it would list any table's columns.
                String m = a.getSimpleMessage();
                int suggestion = m.indexOf("Did you mean");
                return limit(suggestion < 0 ? m : m.substring(0, suggestion).strip()) + " (error id " + id + ")";
            }
        }
        return failed + " on the query server (error id " + id + "; the administrator finds the cause"
                + " in the query server's log under this id)";
    }

    /**
     * An HDFS that does not answer: the NameNode refuses connections (down, restarting), a block has no DataNode to
     * read it from, or the NameNode is still in safe mode after a restart. The query server talks to nothing else over
     * the network (its metastore is embedded), so a refused connection is HDFS.
     */
    private static boolean storageUnavailable(Throwable t) {
        String type = t.getClass().getName();
        return t instanceof java.net.ConnectException
                || "org.apache.hadoop.hdfs.BlockMissingException".equals(type)
                || "org.apache.hadoop.ipc.RemoteException".equals(type) && t.toString().contains("SafeModeException");
    }

    private static String oneLine(String s) {
        return limit(s.replaceAll("[\\r\\n]+", " ").strip());
    }

    private static String limit(String s) {
        return s.length() <= MAX_MESSAGE ? s : s.substring(0, MAX_MESSAGE) + "…";
    }

    /** Prints as its message alone: the Thrift server sends {@code printStackTrace}'s output to the client. */
    static final class ForClient extends HiveSQLException {
        private static final long serialVersionUID = 1L;

        ForClient(String message, String sqlState, int errorCode) {
            super(message, sqlState, errorCode);
            setStackTrace(new StackTraceElement[0]);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }

        @Override
        public String toString() {
            return getMessage();
        }

        @Override
        public void printStackTrace(PrintWriter s) {
            s.println(getMessage());
        }

        @Override
        public void printStackTrace(PrintStream s) {
            s.println(getMessage());
        }
    }
}
