package io.securelake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.securelake.testsupport.ShippedEnvironments;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code policy apply} refuses to send Ranger Admin credentials in clear, before any connection. */
class PolicyApplyTransportTest {
    private static final Path PROJECT = ShippedEnvironments.envsDir().getParent();
    private final CliContext context = new CliContext(PROJECT, PROJECT.resolve("envs"),
            PROJECT.resolve("security-policies").resolve("policies"));

    private final AtomicInteger requests = new AtomicInteger();
    private HttpServer admin;
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalErr;

    @BeforeEach
    void start() throws Exception {
        // A listener standing in for Ranger Admin: any request reaching it would be the credentials in clear.
        admin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        admin.createContext("/", ex -> {
            requests.incrementAndGet();
            ex.sendResponseHeaders(500, -1);
            ex.close();
        });
        admin.start();
        originalErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        System.setErr(originalErr);
        admin.stop(0);
    }

    @Test
    void plain_http_is_refused_without_insecure_and_nothing_is_sent() {
        String url = "http://127.0.0.1:" + admin.getAddress().getPort();

        int exit = SecurelakeCli.execute(context, "policy", "apply", "--env", "prod", "--ranger-url", url);

        String stderr = err.toString(StandardCharsets.UTF_8);
        assertThat(exit).isEqualTo(ExitCodes.USAGE);
        assertThat(stderr).contains("refused").contains(url).contains("in clear").contains("--insecure");
        assertThat(requests).hasValue(0);
    }

    @Test
    void a_url_that_is_not_http_at_all_is_refused_even_with_insecure() {
        int exit = SecurelakeCli.execute(context, "policy", "apply", "--env", "prod", "--insecure",
                "--ranger-url", "ftp://127.0.0.1:" + admin.getAddress().getPort());

        assertThat(exit).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("refused").contains("scheme 'ftp'");
        assertThat(requests).hasValue(0);
    }
}
