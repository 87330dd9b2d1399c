package io.securelake.knox;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import javax.security.auth.Subject;
import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.FilterConfig;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.apache.knox.gateway.audit.api.Action;
import org.apache.knox.gateway.audit.api.ActionOutcome;
import org.apache.knox.gateway.audit.api.AuditServiceFactory;
import org.apache.knox.gateway.audit.api.Auditor;
import org.apache.knox.gateway.audit.api.CorrelationContext;
import org.apache.knox.gateway.audit.api.CorrelationServiceFactory;
import org.apache.knox.gateway.audit.api.ResourceType;
import org.apache.knox.gateway.audit.log4j.audit.AuditConstants;
import org.apache.knox.gateway.filter.AbstractGatewayFilter;
import org.apache.knox.gateway.security.SubjectUtils;

/**
 * The authorization filter of provider {@code SecurelakeRanger}: asks the environment's {@link KnoxAuthorizer}
 * whether the asserted user may use this service of this topology. Denied → 403 with a message naming user,
 * topology and service (for WEBHDFS in WebHDFS's own {@code RemoteException} JSON, so Hadoop clients show it).
 * Fails closed: without a registered authorizer the topology does not deploy.
 */
public final class SecurelakeRangerFilter implements Filter {
    private static final Auditor KNOX_AUDITOR = AuditServiceFactory.getAuditService().getAuditor(
            AuditConstants.DEFAULT_AUDITOR_NAME, AuditConstants.KNOX_SERVICE_NAME, AuditConstants.KNOX_COMPONENT_NAME);

    private KnoxAuthorizer authorizer;
    private String topology;
    private String service;

    @Override
    public void init(FilterConfig config) throws ServletException {
        String environment = config.getInitParameter(SecurelakeRangerContributor.PARAM_ENVIRONMENT);
        topology = config.getInitParameter(SecurelakeRangerContributor.PARAM_TOPOLOGY);
        service = config.getInitParameter(SecurelakeRangerContributor.PARAM_RESOURCE_ROLE);
        if (environment == null || topology == null || service == null) {
            throw new ServletException(SecurelakeRangerContributor.NAME + ": provider parameter '"
                    + SecurelakeRangerContributor.PARAM_ENVIRONMENT + "' and the topology's service role are required");
        }
        authorizer = KnoxAuthorizer.registered(environment);
        if (authorizer == null) {
            throw new ServletException(SecurelakeRangerContributor.NAME + ": no authorizer for environment '"
                    + environment + "' in this gateway: the topology cannot be served without its policies");
        }
        service = service.toUpperCase(Locale.ROOT);
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        Subject subject = SubjectUtils.getCurrentSubject();
        String user = subject == null ? null : SubjectUtils.getEffectivePrincipalName(subject);
        String sourceUrl = (String) request.getAttribute(AbstractGatewayFilter.SOURCE_REQUEST_CONTEXT_URL_ATTRIBUTE_NAME);
        if (user == null) {
            KNOX_AUDITOR.audit(Action.AUTHORIZATION, sourceUrl, ResourceType.URI, ActionOutcome.FAILURE,
                    "no authenticated user");
            deny(response, "securelake: access denied: no authenticated user for service " + service
                    + " of topology '" + topology + "'");
            return;
        }
        KnoxAuthorizer.Outcome outcome = authorizer.decide(user, topology, service, request.getRemoteAddr(),
                requestId());
        if (outcome.allowed()) {
            KNOX_AUDITOR.audit(Action.AUTHORIZATION, sourceUrl, ResourceType.URI, ActionOutcome.SUCCESS,
                    outcome.decision().reason());
            chain.doFilter(req, res);
        } else {
            KNOX_AUDITOR.audit(Action.AUTHORIZATION, sourceUrl, ResourceType.URI, ActionOutcome.FAILURE,
                    outcome.decision().reason());
            deny(response, outcome.message());
        }
    }

    private static String requestId() {
        CorrelationContext c = CorrelationServiceFactory.getCorrelationService().getContext();
        return c == null ? null : c.getRequestId();
    }

    private void deny(HttpServletResponse response, String message) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        response.setStatus(HttpServletResponse.SC_FORBIDDEN);
        PrintWriter w;
        if (KnoxServices.WEBHDFS.equals(service)) {
            response.setContentType("application/json;charset=UTF-8");
            w = response.getWriter();
            w.write("{\"RemoteException\":{\"exception\":\"AccessControlException\",\"javaClassName\":"
                    + "\"org.apache.hadoop.security.AccessControlException\",\"message\":" + json(message) + "}}\n");
        } else {
            response.setContentType("text/plain;charset=UTF-8");
            w = response.getWriter();
            w.write(message + "\n");
        }
        w.flush();
    }

    static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    @Override
    public void destroy() {
        // the authorizer belongs to the gateway process, not to one deployment of the topology
    }
}
