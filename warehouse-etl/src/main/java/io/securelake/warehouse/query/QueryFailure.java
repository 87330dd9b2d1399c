package io.securelake.warehouse.query;

import java.net.ConnectException;
import java.sql.SQLException;
import java.util.regex.Pattern;

/**
 * What a person is told when their query fails: the gateway's and the engine's answers in words (the JDBC driver
 * wraps them deeply), and never a secret. Hive's driver puts the whole JDBC URL in its messages, and the gateway's
 * URL carries the truststore password ({@code trustStorePassword=…}); the URL and any {@code …password=} value are
 * cut out of whatever is printed.
 */
final class QueryFailure {
    /** The JDBC URL as the driver quotes it: up to white space or the ": " that follows it in its messages. */
    private static final Pattern JDBC_URL = Pattern.compile("jdbc:hive2://\\S*?(?=:\\s|\\s|$)");
    /** {@code trustStorePassword=…}, {@code password=…} and the like, in a URL or a message. */
    private static final Pattern PASSWORD_VALUE = Pattern.compile("(?i)(\\w*password)=[^;&\\s]*");

    private QueryFailure() {
    }

    /** {@code e} in words, for the person who ran the query against {@code environment}'s gateway. */
    static String explain(SQLException e, String environment) {
        StringBuilder all = new StringBuilder();
        boolean refused = false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(' ').append(t.getMessage());
            refused |= t instanceof ConnectException;
        }
        String text = all.toString();
        // The driver reports the gateway's HTTP status as "HTTP Response code: N".
        if (text.contains("HTTP Response code: 401")) {
            return "authentication failed at the gateway (HTTP 401): wrong user name or password";
        }
        if (text.contains("HTTP Response code: 403")) {
            return "the gateway refused access (HTTP 403): no Ranger policy of the environment's gateway lets this user use Hive";
        }
        if (text.contains("HTTP Response code: 503")) {
            return "the query server of " + environment + " is not reachable through the gateway right now (it may be "
                    + "restarting); try again in a moment";
        }
        if (refused) {
            return "the gateway of " + environment + " is not reachable (connection refused): is the stack running?";
        }
        int denied = text.indexOf("Permission denied");
        if (denied >= 0) {
            int end = text.indexOf('\n', denied);
            return redact(text.substring(denied, end < 0 ? text.length() : end).trim());
        }
        return redact(String.valueOf(e.getMessage()));
    }

    /** {@code text} without JDBC URLs and password values. */
    static String redact(String text) {
        String withoutUrls = JDBC_URL.matcher(text).replaceAll("<the gateway's JDBC URL>");
        return PASSWORD_VALUE.matcher(withoutUrls).replaceAll("$1=<redacted>");
    }
}
