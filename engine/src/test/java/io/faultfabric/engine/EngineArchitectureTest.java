package io.faultfabric.engine;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** The engine is plain Java: no Pekko, no Scala, and its packages depend on each other without cycles. {@link ArchitectureRulesBiteTest} shows the rules can fail. */
@AnalyzeClasses(packages = "io.faultfabric.engine", importOptions = {ImportOption.DoNotIncludeTests.class, ImportOption.DoNotIncludeJars.class})
class EngineArchitectureTest {

    @ArchTest
    static final ArchRule noPekkoNorScala = noClasses().that().resideInAPackage("io.faultfabric.engine..")
        .should().dependOnClassesThat().resideInAnyPackage("org.apache.pekko..", "scala..", "akka..");

    @ArchTest
    static final ArchRule noOtherFaultFabricModule = noClasses().that().resideInAPackage("io.faultfabric.engine..")
        .should().dependOnClassesThat().resideInAnyPackage("io.faultfabric.actors..", "io.faultfabric.streams..", "io.faultfabric.loadgen..");

    /** Each package is its own slice, the root package (the domain types) included. */
    @ArchTest
    static final ArchRule packagesAreFreeOfCycles = slices().matching("io.faultfabric.(**)").should().beFreeOfCycles();
}
