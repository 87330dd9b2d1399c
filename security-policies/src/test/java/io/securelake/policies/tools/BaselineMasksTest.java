package io.securelake.policies.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.securelake.envs.Dataset;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Column masks derive from the schema's classifications, read by the one parser of the property. */
class BaselineMasksTest {
    private static final Path ENVS = Path.of(System.getProperty("securelake.envs.dir", "../envs"));

    @TempDir
    Path dir;

    private Environment devWithSchema(String fields) throws Exception {
        Files.copy(ENVS.resolve("dev.yaml"), dir.resolve("dev.yaml"));
        Environment env = EnvironmentCatalog.of(dir).load("dev");
        Dataset d = env.datasets().get(0);
        Path schema = Files.createDirectories(dir.resolve("schemas").resolve(d.name())).resolve("v1.avsc");
        Files.writeString(schema, "{\"type\": \"record\", \"name\": \"E\", \"fields\": [" + fields + "]}");
        return env;
    }

    @Test
    void eachClassificationGetsItsMaskWhateverTheLetterCase() throws Exception {
        Environment env = devWithSchema("""
                {"name": "id", "type": "string"},
                {"name": "card", "type": "string", "classification": "PII-Deterministic"},
                {"name": "email", "type": ["null", "string"], "default": null, "classification": "pii-randomized"},
                {"name": "name", "type": "string", "classification": "pii-randomized"}""");
        BaselinePolicies.Schema s = new BaselinePolicies(env).schema(env.datasets().get(0));

        assertThat(s.masks()).containsExactly(java.util.Map.entry("card", "MASK_SHOW_LAST_4"),
                java.util.Map.entry("email", "MASK_NULL"), java.util.Map.entry("name", "MASK_HASH"));
        assertThat(s.classes()).containsEntry("card", "pii-deterministic").containsEntry("email", "pii-randomized")
                .doesNotContainKey("id");
    }

    @Test
    void anUnknownClassificationFailsNamingTheFileTheFieldAndTheValue() throws Exception {
        Environment env = devWithSchema("""
                {"name": "card", "type": "string", "classification": "pii-secret"}""");
        Dataset d = env.datasets().get(0);
        assertThatThrownBy(() -> new BaselinePolicies(env).schema(d))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(dir.resolve("schemas").resolve(d.name()).resolve("v1.avsc").toString())
                .hasMessageContaining("field 'card': unknown classification 'pii-secret'");
    }
}
