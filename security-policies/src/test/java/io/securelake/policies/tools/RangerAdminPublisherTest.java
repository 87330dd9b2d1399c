package io.securelake.policies.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.securelake.envs.Environment;
import io.securelake.policies.engine.RangerJson;
import io.securelake.testsupport.ShippedEnvironments;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RangerAdminPublisherTest {

    @Test
    void unreachableAdminIsAClearErrorAndNothingIsApplied() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        Environment prod = ShippedEnvironments.load("prod");
        RangerAdminPublisher p = new RangerAdminPublisher(prod, ShippedEnvironments.policiesDir(),
                new RangerAdminPublisher.Target(URI.create("http://127.0.0.1:" + port), "admin", "x", Duration.ofSeconds(3), true));
        assertThatThrownBy(p::plan).isInstanceOf(RangerAdminPublisher.RangerAdminException.class)
                .hasMessageContaining("Ranger Admin at http://127.0.0.1:" + port + " is not reachable")
                .hasMessageContaining("nothing was applied to prod");
    }

    @Test
    void plainHttpIsRefusedUnlessExplicitlyAllowedAndOtherSchemesAlways() {
        URI http = URI.create("http://ranger.corp.example.com:6080");
        assertThatThrownBy(() -> new RangerAdminPublisher.Target(http, "admin", "x", Duration.ofSeconds(3), false))
                .isInstanceOf(RangerAdminPublisher.InsecureTransportException.class)
                .hasMessageContaining("http://ranger.corp.example.com:6080")
                .hasMessageContaining("travel in clear");
        assertThatThrownBy(() -> new RangerAdminPublisher.Target(URI.create("ftp://ranger:21"), "admin", "x",
                Duration.ofSeconds(3), true))
                .isInstanceOf(RangerAdminPublisher.InsecureTransportException.class).hasMessageContaining("scheme 'ftp'");
        assertThat(new RangerAdminPublisher.Target(http, "admin", "x", Duration.ofSeconds(3), true).url()).isEqualTo(http);
        assertThat(new RangerAdminPublisher.Target(URI.create("HTTPS://ranger:6182"), "admin", "x", Duration.ofSeconds(3),
                false).url().getHost()).isEqualTo("ranger");
    }

    /**
     * A stand-in for Ranger Admin's public v2 REST API holding services and policies in memory (the
     * endpoints and JSON documents the publisher uses), to show the plan and idempotence.
     */
    @Test
    void dryRunPrintsThePlanAndApplyIsIdempotent() throws Exception {
        Map<String, JsonNode> services = new ConcurrentHashMap<>();
        Map<Long, ObjectNode> policies = new ConcurrentHashMap<>();
        AtomicLong ids = new AtomicLong(1000);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/service/public/v2/api", ex -> handle(ex, services, policies, ids));
        server.start();
        try {
            Environment prod = ShippedEnvironments.load("prod");
            var target = new RangerAdminPublisher.Target(URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                    "admin", "secret", Duration.ofSeconds(5), true); // a loopback stand-in
            RangerAdminPublisher publisher = new RangerAdminPublisher(prod, ShippedEnvironments.policiesDir(), target);

            RangerAdminPublisher.Plan dry = publisher.plan();
            System.out.println(dry.render());
            assertThat(dry.render()).contains("create service prod_kafka").contains("create policy prod_hive/mask-payments-card_number");
            assertThat(services).isEmpty();

            publisher.apply();
            assertThat(services).containsKeys("prod_kafka", "prod_hdfs", "prod_hive", "prod_knox");
            int count = policies.size();
            assertThat(count).isGreaterThan(20);
            assertThat(publisher.plan().empty()).as(publisher.plan().render()).isTrue();
            publisher.apply();
            assertThat(policies).hasSize(count);

            // Someone changed a policy in Admin by hand and added one: apply puts the files back.
            ObjectNode changed = policies.values().stream().filter(p -> p.get("name").asText().equals("admins-topics")).findFirst().orElseThrow();
            changed.put("description", "edited in the UI");
            ObjectNode extra = changed.deepCopy();
            extra.put("name", "ui-only");
            long extraId = ids.incrementAndGet();
            extra.put("id", extraId);
            policies.put(extraId, extra);
            RangerAdminPublisher.Plan drift = publisher.plan();
            assertThat(drift.render()).contains("update policy prod_kafka/admins-topics").contains("delete policy prod_kafka/ui-only");
            publisher.apply();
            assertThat(publisher.plan().empty()).isTrue();
        } finally {
            server.stop(0);
        }
    }

    private static void handle(HttpExchange ex, Map<String, JsonNode> services, Map<Long, ObjectNode> policies, AtomicLong ids) throws IOException {
        String path = ex.getRequestURI().getPath().substring("/service/public/v2/api".length());
        String method = ex.getRequestMethod();
        JsonNode body = ex.getRequestBody().available() > 0 || method.equals("POST") || method.equals("PUT")
                ? RangerJson.MAPPER.readTree(ex.getRequestBody()) : null;
        JsonNode answer = null;
        int code = 200;
        if (method.equals("GET") && path.startsWith("/service/name/")) {
            answer = services.get(path.substring("/service/name/".length()));
            code = answer == null ? 404 : 200;
        } else if (method.equals("GET") && path.matches("/service/[^/]+/policy")) {
            String svc = path.split("/")[2];
            ArrayNode list = RangerJson.MAPPER.createArrayNode();
            policies.values().stream().filter(p -> p.get("service").asText().equals(svc)).forEach(list::add);
            answer = list;
        } else if (method.equals("POST") && path.equals("/service")) {
            services.put(body.get("name").asText(), body);
            answer = body;
        } else if (method.equals("POST") && path.equals("/policy")) {
            ObjectNode p = (ObjectNode) body;
            p.put("id", ids.incrementAndGet());
            p.put("version", 1);
            policies.put(p.get("id").asLong(), p);
            answer = p;
        } else if (method.equals("PUT") && path.startsWith("/policy/")) {
            policies.put(Long.parseLong(path.substring(8)), (ObjectNode) body);
            answer = body;
        } else if (method.equals("DELETE") && path.startsWith("/policy/")) {
            policies.remove(Long.parseLong(path.substring(8)));
            code = 204;
        } else {
            code = 400;
        }
        byte[] out = answer == null ? new byte[0] : answer.toString().getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(code, code == 204 || out.length == 0 ? -1 : out.length);
        if (out.length > 0 && code != 204) {
            ex.getResponseBody().write(out);
        }
        ex.close();
    }
}
