package io.securelake.policies.hdfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.FilterConfig;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.http.FilterContainer;
import org.apache.hadoop.http.FilterInitializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A NameNode web filter: no delegation token for a request made on someone's behalf. Through the Knox
 * gateway a person reaches WebHDFS as the gateway's principal with {@code doAs=<person>}, and the NameNode
 * would hand out a delegation token for the person ({@code op=GETDELEGATIONTOKEN}): a credential that
 * outlives the gateway session, bypasses the perimeter and its audit, and survives a password change.
 * Tokens are for services that authenticate as themselves; every proxied token operation is refused
 * with 403 and a WebHDFS-style {@code RemoteException} that says why.
 * <p>Install on any NameNode with
 * {@code hadoop.http.filter.initializers=…,io.securelake.policies.hdfs.ProxiedDelegationTokenGuard$Initializer}.
 */
public final class ProxiedDelegationTokenGuard implements Filter {
    private static final Logger LOG = LoggerFactory.getLogger(ProxiedDelegationTokenGuard.class);
    static final Set<String> TOKEN_OPS = Set.of("GETDELEGATIONTOKEN", "RENEWDELEGATIONTOKEN", "CANCELDELEGATIONTOKEN");
    /** Hadoop takes the proxied user from doas (any case); user.name only names the caller under simple auth. */
    private static final Set<String> ON_BEHALF = Set.of("doas", "user.name");

    /** Adds the guard to every context of the NameNode's web server. */
    public static final class Initializer extends FilterInitializer {
        @Override
        public void initFilter(FilterContainer container, Configuration conf) {
            container.addGlobalFilter("securelake-proxied-delegation-token-guard",
                    ProxiedDelegationTokenGuard.class.getName(), Map.of());
        }
    }

    @Override
    public void init(FilterConfig config) {
        // nothing to configure: the rule has no exceptions
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        if (request instanceof HttpServletRequest http && response instanceof HttpServletResponse out) {
            String refusal = refusal(http.getParameterMap());
            if (refusal != null) {
                LOG.warn("refused {} from {}: {}", http.getRequestURI(), http.getRemoteAddr(), refusal);
                out.setStatus(HttpServletResponse.SC_FORBIDDEN);
                out.setContentType("application/json; charset=utf-8");
                out.getOutputStream().write(("{\"RemoteException\":{\"exception\":\"AccessControlException\","
                        + "\"javaClassName\":\"org.apache.hadoop.security.AccessControlException\",\"message\":\""
                        + refusal + "\"}}").getBytes(StandardCharsets.UTF_8));
                return;
            }
        }
        chain.doFilter(request, response);
    }

    /** Why the request is refused, or null. Parameter names and the op are matched in any case, as Hadoop does. */
    static String refusal(Map<String, String[]> parameters) {
        String op = null;
        String onBehalfOf = null;
        for (Map.Entry<String, String[]> p : parameters.entrySet()) {
            String name = p.getKey().toLowerCase(Locale.ROOT);
            String value = p.getValue().length == 0 ? "" : p.getValue()[0];
            if (name.equals("op")) {
                op = value.toUpperCase(Locale.ROOT);
            } else if (ON_BEHALF.contains(name) && !value.isBlank()) {
                onBehalfOf = name;
            }
        }
        if (op == null || !TOKEN_OPS.contains(op) || onBehalfOf == null) {
            return null;
        }
        return "op=" + op + " on behalf of another user (" + onBehalfOf + "=...) is refused: delegation tokens are issued"
                + " only to services that authenticate as themselves, never through a gateway or proxy";
    }

    @Override
    public void destroy() {
        // nothing held
    }
}
