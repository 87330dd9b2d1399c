package io.securelake.architecture;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The rules of {@link Layering} over every production class of the project (tests and benches excluded). */
@AnalyzeClasses(packages = "io.securelake", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    @ArchTest
    static final ArchRule layers = Layering.LAYERS;

    @ArchTest
    static final ArchRule noEmbeddedServersInProduction = Layering.NO_EMBEDDED_SERVERS_IN_PRODUCTION;

    @ArchTest
    static final ArchRule encryptionCoreIsInternal = Layering.ENCRYPTION_CORE_IS_INTERNAL;

    @ArchTest
    static final ArchRule policyEngineIsInternal = Layering.POLICY_ENGINE_IS_INTERNAL;

    @ArchTest
    static final ArchRule internalsStayInside = Layering.INTERNALS_STAY_INSIDE;

    @ArchTest
    static final ArchRule jvmSettingsOnlyAtEntryPoints = Layering.JVM_SETTINGS_ONLY_AT_ENTRY_POINTS;
}
