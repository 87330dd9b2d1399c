package io.securelake.architecture;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import io.securelake.devstack.kdc.EmbeddedKdc;
import io.securelake.encryption.core.AesSiv;
import io.securelake.lakewriter.fixture.WriterThatStartsItsOwnKdc;
import io.securelake.lakewriter.internals.RawZoneCommitter;
import io.securelake.policies.engine.PolicyStore;
import io.securelake.warehouse.fixture.EtlThatCommitsRawFiles;
import org.junit.jupiter.api.Test;

/** The rules are only worth something if they fail: each is shown a class of the lake-writer that breaks it. */
class RulesFailOnViolationsTest {
    private final JavaClasses violating = new ClassFileImporter().importClasses(WriterThatStartsItsOwnKdc.class,
            EmbeddedKdc.class, AesSiv.class, PolicyStore.class);

    @Test
    void aServiceThatImportsTheDevStackFailsTheLayering() {
        assertThatThrownBy(() -> Layering.LAYERS.check(violating))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Field <" + WriterThatStartsItsOwnKdc.class.getName() + ".kdc> has type <"
                        + EmbeddedKdc.class.getName() + ">")
                .hasMessageContaining("services never carry the dev stack");
    }

    @Test
    void aCallerOfEncryptionCoreFailsTheApiRule() {
        assertThatThrownBy(() -> Layering.ENCRYPTION_CORE_IS_INTERNAL.check(violating))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining(WriterThatStartsItsOwnKdc.class.getName() + ".siv> has type <"
                        + AesSiv.class.getName() + ">");
    }

    @Test
    void aLibraryThatSetsASystemPropertyFailsTheEntryPointRule() {
        assertThatThrownBy(() -> Layering.JVM_SETTINGS_ONLY_AT_ENTRY_POINTS.check(violating))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining(WriterThatStartsItsOwnKdc.class.getName() + ".pointTheJvmAtMyKdc()> calls method "
                        + "<java.lang.System.setProperty(java.lang.String, java.lang.String)>");
    }

    @Test
    void anotherModuleUsingTheWritersInternalsFailsTheInternalsRule() {
        JavaClasses classes = new ClassFileImporter().importClasses(EtlThatCommitsRawFiles.class,
                RawZoneCommitter.class);
        assertThatThrownBy(() -> Layering.INTERNALS_STAY_INSIDE.check(classes))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining(EtlThatCommitsRawFiles.class.getName() + ".committer> has type <"
                        + RawZoneCommitter.class.getName() + ">")
                .hasMessageContaining("reaches into the internals of io.securelake.lakewriter");
    }

    @Test
    void aCallerOfThePolicyEngineFailsTheApiRule() {
        assertThatThrownBy(() -> Layering.POLICY_ENGINE_IS_INTERNAL.check(violating))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining(WriterThatStartsItsOwnKdc.class.getName() + ".policies> has type <"
                        + PolicyStore.class.getName() + ">");
    }
}
