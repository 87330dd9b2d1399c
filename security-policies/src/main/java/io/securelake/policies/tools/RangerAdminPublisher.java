package io.securelake.policies.tools;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.envs.Environment;
import io.securelake.envs.RangerServiceType;
import io.securelake.policies.engine.PolicyFiles;
import io.securelake.policies.engine.RangerJson;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.ranger.plugin.model.RangerPolicy;

/**
 * {@code policy apply --env prod [--dry-run]}: makes Ranger Admin hold exactly the committed policies of
 * the environment, through its public REST API ({@code /service/public/v2/api/…}). The plan is computed
 * from what Admin holds now: create missing services and policies, update policies whose content
 * differs, delete policies the files no longer have. Applying twice changes nothing the second time.
 * (ranger-intg 2.9.0, Ranger's own REST client, is not on Maven Central; the same API is called with
 * the JDK's HTTP client.)
 */
public final class RangerAdminPublisher {

    /**
     * Where Ranger Admin is and how to log in (basic authentication: the password goes with every request).
     *
     * @param clearTextAllowed an {@code http://} URL is accepted only when this is true, an explicit choice
     *                         (e.g. a throw-away Admin on loopback); otherwise the target cannot be built
     */
    public record Target(URI url, String user, String password, Duration timeout, boolean clearTextAllowed) {
        public Target {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
            Objects.requireNonNull(timeout, "timeout");
            requireSafeTransport(url, clearTextAllowed);
        }
    }

    /** A Ranger Admin URL refused before any connection is made; says which URL and why. */
    public static final class InsecureTransportException extends IllegalArgumentException {
        public InsecureTransportException(String message) {
            super(message);
        }
    }

    /**
     * Fails closed on a URL the credentials must not travel to: anything but {@code https://}, and
     * {@code http://} unless clear text was explicitly allowed. Called before any network call.
     */
    public static void requireSafeTransport(URI url, boolean clearTextAllowed) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (scheme.equals("https") || (scheme.equals("http") && clearTextAllowed)) {
            return;
        }
        if (scheme.equals("http")) {
            throw new InsecureTransportException("Ranger Admin URL " + url + " is plain http://: the admin user's password"
                    + " (basic authentication) and every policy would travel in clear; use https://");
        }
        throw new InsecureTransportException("Ranger Admin URL " + url + " is not an https:// URL (scheme '" + scheme
                + "'): the admin credentials are only sent over TLS");
    }

    public enum Action { CREATE_SERVICE, CREATE, UPDATE, DELETE }

    public record Step(Action action, String service, String policy, Long remoteId) {
        @Override
        public String toString() {
            return switch (action) {
                case CREATE_SERVICE -> "create service " + service;
                case CREATE -> "create policy " + service + "/" + policy;
                case UPDATE -> "update policy " + service + "/" + policy + " (id " + remoteId + ")";
                case DELETE -> "delete policy " + service + "/" + policy + " (id " + remoteId + ", not in the files)";
            };
        }
    }

    public record Plan(String environment, URI admin, List<Step> steps) {
        public boolean empty() {
            return steps.isEmpty();
        }

        public String render() {
            if (steps.isEmpty()) {
                return "Ranger Admin " + admin + " already holds the policies of " + environment + ": nothing to do\n";
            }
            StringBuilder sb = new StringBuilder("plan for " + environment + " on Ranger Admin " + admin + ":\n");
            steps.forEach(s -> sb.append("  ").append(s).append('\n'));
            return sb.toString();
        }
    }

    /** Ranger Admin cannot be reached or refused the request; nothing further was applied. */
    public static final class RangerAdminException extends RuntimeException {
        public RangerAdminException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final String API = "/service/public/v2/api";

    private final Environment env;
    private final Path policiesRoot;
    private final Target target;
    private final HttpClient http;

    public RangerAdminPublisher(Environment env, Path policiesRoot, Target target) {
        this.env = env;
        this.policiesRoot = policiesRoot;
        this.target = target;
        this.http = HttpClient.newBuilder().connectTimeout(target.timeout()).build();
    }

    /** Computes what apply would do, without changing anything (the dry run). */
    public Plan plan() {
        List<Step> steps = new ArrayList<>();
        for (RangerServiceType t : RangerServiceType.values()) {
            String service = env.names().rangerService(t);
            boolean exists = call("GET", API + "/service/name/" + service, null, true) != null;
            Map<String, RangerPolicy> remote = new HashMap<>();
            if (!exists) {
                steps.add(new Step(Action.CREATE_SERVICE, service, null, null));
            } else {
                JsonNode list = call("GET", API + "/service/" + service + "/policy", null, false);
                List<RangerPolicy> policies = RangerJson.MAPPER.convertValue(list, new TypeReference<>() { });
                policies.forEach(p -> remote.put(p.getName(), p));
            }
            List<RangerPolicy> local = PolicyFiles.readRaw(PolicyFiles.file(policiesRoot, env, t)).getPolicies();
            for (RangerPolicy p : local) {
                RangerPolicy r = remote.remove(p.getName());
                if (r == null) {
                    steps.add(new Step(Action.CREATE, service, p.getName(), null));
                } else if (!content(p).equals(content(r))) {
                    steps.add(new Step(Action.UPDATE, service, p.getName(), r.getId()));
                }
            }
            remote.values().forEach(r -> steps.add(new Step(Action.DELETE, service, r.getName(), r.getId())));
        }
        return new Plan(env.name(), target.url(), List.copyOf(steps));
    }

    /** Carries out the plan; returns it. Steps run in order and stop at the first refusal. */
    public Plan apply() {
        Plan plan = plan();
        Map<String, RangerPolicy> local = new HashMap<>();
        for (RangerServiceType t : RangerServiceType.values()) {
            PolicyFiles.readRaw(PolicyFiles.file(policiesRoot, env, t)).getPolicies()
                    .forEach(p -> local.put(env.names().rangerService(t) + "/" + p.getName(), p));
        }
        for (Step s : plan.steps()) {
            switch (s.action()) {
                case CREATE_SERVICE -> {
                    ObjectNode svc = RangerJson.MAPPER.createObjectNode();
                    svc.put("name", s.service());
                    svc.put("type", s.service().substring(s.service().lastIndexOf('_') + 1));
                    svc.put("description", "securelake " + env.name() + " (policies as code)");
                    svc.putObject("configs");
                    call("POST", API + "/service", svc, false);
                }
                case CREATE -> call("POST", API + "/policy", forAdmin(local.get(s.service() + "/" + s.policy()), null), false);
                case UPDATE -> call("PUT", API + "/policy/" + s.remoteId(),
                        forAdmin(local.get(s.service() + "/" + s.policy()), s.remoteId()), false);
                case DELETE -> call("DELETE", API + "/policy/" + s.remoteId(), null, false);
            }
        }
        return plan;
    }

    private static JsonNode forAdmin(RangerPolicy p, Long remoteId) {
        ObjectNode n = RangerJson.MAPPER.valueToTree(p);
        n.remove("id");
        if (remoteId != null) {
            n.put("id", remoteId);
        }
        return n;
    }

    /** What a policy says, without the bookkeeping Admin adds (ids, versions, times, authors). */
    static JsonNode content(RangerPolicy p) {
        ObjectNode n = RangerJson.MAPPER.valueToTree(p);
        for (String f : List.of("id", "guid", "version", "createTime", "updateTime", "createdBy", "updatedBy",
                "resourceSignature", "serviceType", "zoneName", "isEnabled", "isAuditEnabled", "policyLabels",
                "options", "isDenyAllElse", "policyPriority", "additionalResources")) {
            n.remove(f);
        }
        n.put("isEnabled", p.getIsEnabled());
        return n;
    }

    private JsonNode call(String method, String path, JsonNode body, boolean notFoundIsNull) {
        URI uri = target.url().resolve(path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(target.timeout())
                .header("Accept", "application/json")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (target.user() + ":" + target.password()).getBytes(StandardCharsets.UTF_8)));
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> resp;
        try {
            resp = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new RangerAdminException("Ranger Admin at " + target.url() + " is not reachable (" + describe(e)
                    + "): nothing was applied to " + env.name() + ". Start Ranger Admin or point --ranger-url at it.", e);
        } catch (IOException e) {
            throw new RangerAdminException("Ranger Admin at " + target.url() + " failed during " + method + " " + path
                    + " (" + describe(e) + "): the environment may be partly applied; run apply again", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RangerAdminException("interrupted while talking to Ranger Admin at " + target.url(), e);
        }
        int code = resp.statusCode();
        if (code == 404 && notFoundIsNull) {
            return null;
        }
        if (code == 401 || code == 403) {
            throw new RangerAdminException("Ranger Admin at " + target.url() + " refused user '" + target.user() + "' (HTTP "
                    + code + ") for " + method + " " + path + ": the user needs admin rights on " + env.name() + "'s services", null);
        }
        if (code / 100 != 2) {
            throw new RangerAdminException("Ranger Admin at " + target.url() + " answered HTTP " + code + " to " + method + " "
                    + path + ": " + resp.body(), null);
        }
        try {
            return resp.body() == null || resp.body().isBlank() ? RangerJson.MAPPER.nullNode() : RangerJson.MAPPER.readTree(resp.body());
        } catch (IOException e) {
            throw new RangerAdminException("Ranger Admin at " + target.url() + " answered " + method + " " + path
                    + " with something that is not JSON", e);
        }
    }

    private static String describe(IOException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
