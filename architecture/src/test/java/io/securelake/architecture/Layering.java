package io.securelake.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.AccessTarget;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.properties.HasName;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

/**
 * The module table of the README as rules over our compiled classes. A module is known here by its packages
 * ({@code io.securelake.lakewriter..} is the lake-writer), so a rule holds whichever Maven module a class ends up in.
 */
final class Layering {
    static final String FOUNDATIONS = "Foundations";
    static final String LIBRARIES = "Libraries";
    static final String LAKE_WRITER = "Lake-writer";
    static final String WAREHOUSE = "Warehouse";
    static final String GATEWAY = "Gateway";
    static final String OPERATIONS = "Operations";
    static final String DEV_STACK = "Dev stack";
    static final String DEMO = "Demo";
    static final String CLI = "CLI";

    /** What production processes never carry: everything else of ours is production code. */
    static final String[] DEV_AND_TOOLS = {"io.securelake.devstack..", "io.securelake.demo..", "io.securelake.cli.."};

    /**
     * Who may use whom. Within a layer anything goes; downward always; upward never. The dev stack may start the
     * services (it is their launcher on one machine), nobody but the CLI and the demo may reach the dev stack.
     */
    static final ArchRule LAYERS = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer(FOUNDATIONS).definedBy("io.securelake.envs..", "io.securelake.contracts..",
                    "io.securelake.encryption..", "io.securelake.audit..")
            .layer(LIBRARIES).definedBy("io.securelake.kerberos..", "io.securelake.hadoop..",
                    "io.securelake.policies..", "io.securelake.ingest..")
            .layer(LAKE_WRITER).definedBy("io.securelake.lakewriter..")
            .layer(WAREHOUSE).definedBy("io.securelake.warehouse..")
            .layer(GATEWAY).definedBy("io.securelake.knox..")
            .layer(OPERATIONS).definedBy("io.securelake.operations..")
            .layer(DEV_STACK).definedBy("io.securelake.devstack..")
            .layer(DEMO).definedBy("io.securelake.demo..")
            .layer(CLI).definedBy("io.securelake.cli..")
            .whereLayer(CLI).mayNotBeAccessedByAnyLayer()
            .whereLayer(DEMO).mayOnlyBeAccessedByLayers(CLI)
            .whereLayer(DEV_STACK).mayOnlyBeAccessedByLayers(DEMO, CLI)
            .whereLayer(OPERATIONS).mayOnlyBeAccessedByLayers(DEV_STACK, DEMO, CLI)
            .whereLayer(LAKE_WRITER).mayOnlyBeAccessedByLayers(DEV_STACK, DEMO, CLI)
            .whereLayer(WAREHOUSE).mayOnlyBeAccessedByLayers(DEV_STACK, DEMO, CLI)
            .whereLayer(GATEWAY).mayOnlyBeAccessedByLayers(DEV_STACK, DEMO, CLI)
            .whereLayer(LIBRARIES).mayOnlyBeAccessedByLayers(LAKE_WRITER, WAREHOUSE, GATEWAY, OPERATIONS, DEV_STACK,
                    DEMO, CLI)
            .because("services never carry the dev stack, and a module depends only on those below it (README, "
                    + "Architecture)");

    /**
     * The embedded servers (Kerby's KDC, MiniDFSCluster and the NameNode/DataNode, the KMS server, a Kafka broker)
     * belong to the dev stack. The policy plugins in {@code io.securelake.policies.hdfs|kafka} implement the
     * NameNode's and the broker's plugin interfaces: those are the interfaces, not the servers, and are allowed.
     */
    static final ArchRule NO_EMBEDDED_SERVERS_IN_PRODUCTION = noClasses()
            .that().resideInAPackage("io.securelake..").and().resideOutsideOfPackages(DEV_AND_TOOLS)
            .should().dependOnClassesThat().resideInAnyPackage("org.apache.kerby.kerberos.kerb.server..",
                    "org.apache.hadoop.crypto.key.kms.server..", "kafka.server..", "kafka.testkit..",
                    "org.apache.kafka.server.config..", "org.apache.hadoop.hdfs.server.namenode.ha..")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("org.apache.hadoop.hdfs.MiniDFSCluster")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("org.apache.hadoop.crypto.key.kms.server.MiniKMS")
            .because("a production service must run without the embedded dev servers on its class path");

    /** Callers outside the encryption module go through its API package; {@code core} may change freely. */
    static final ArchRule ENCRYPTION_CORE_IS_INTERNAL = noClasses()
            .that().resideOutsideOfPackage("io.securelake.encryption..")
            .should().dependOnClassesThat().resideInAPackage("io.securelake.encryption.core..")
            .because("the encryption API (io.securelake.encryption) is the contract; core is its implementation");

    /** Callers outside the policies module go through {@code policies.api}; the engine may change freely. */
    static final ArchRule POLICY_ENGINE_IS_INTERNAL = noClasses()
            .that().resideOutsideOfPackage("io.securelake.policies..")
            .should().dependOnClassesThat().resideInAPackage("io.securelake.policies.engine..")
            .because("policies.api is the contract enforcement points use; the engine is its implementation");

    /**
     * A package named {@code internals} belongs to the module part above it ({@code io.securelake.lakewriter.internals}
     * to {@code io.securelake.lakewriter}): only classes under that part may use it, as in Kafka's clients.
     */
    static final ArchRule INTERNALS_STAY_INSIDE = classes()
            .that().resideInAPackage("io.securelake..internals..")
            .should(new ArchCondition<JavaClass>("be used only from the part of the module that owns them") {
                @Override
                public void check(JavaClass internal, ConditionEvents events) {
                    String owner = ownerOf(internal.getPackageName());
                    for (Dependency d : internal.getDirectDependenciesToSelf()) {
                        String from = d.getOriginClass().getPackageName();
                        if (!from.equals(owner) && !from.startsWith(owner + ".")) {
                            events.add(SimpleConditionEvent.violated(d, d.getDescription()
                                    + " reaches into the internals of " + owner));
                        }
                    }
                }
            })
            .allowEmptyShould(true)
            .because("internals may change with their module; callers use its public classes");

    /**
     * A process's JVM-wide settings (system properties, which krb5.conf the JDK reads) are chosen where the process
     * starts: a {@code *Main}, the core components' {@code ComponentProcess}, the CLI. A library that set them would change every
     * other library of the process behind its back. {@code KerberosJvm} is the one helper the entry points call;
     * {@code SparkJvm} is the Spark mains' (warehouse-etl has no kerberos module on Spark's class path).
     */
    static final ArchRule JVM_SETTINGS_ONLY_AT_ENTRY_POINTS = noClasses()
            .that().haveSimpleNameNotEndingWith("Main")
            .and().doNotHaveSimpleName("ComponentProcess")
            .and().doNotHaveFullyQualifiedName("io.securelake.kerberos.KerberosJvm")
            .and().doNotHaveFullyQualifiedName("io.securelake.warehouse.spark.SparkJvm")
            .and().resideOutsideOfPackage("io.securelake.cli..")
            .should().callMethod(System.class, "setProperty", String.class, String.class)
            .orShould().callMethod(System.class, "clearProperty", String.class)
            // an access, not only a call: KerberosJvm::useKrb5Conf is a method reference
            .orShould().accessTargetWhere(JavaAccess.Predicates.target(
                    AccessTarget.Predicates.declaredIn("io.securelake.kerberos.KerberosJvm")
                            .and(HasName.Predicates.name("useKrb5Conf"))))
            .because("JVM-wide settings belong to each process's entry point, never to a library");

    static String ownerOf(String internalsPackage) {
        return internalsPackage.substring(0, internalsPackage.indexOf(".internals"));
    }

    private Layering() {
    }
}
