package io.faultfabric.engine;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The rules of {@link EngineArchitectureTest} are not vacuous: they see the engine's classes and report a cycle where one exists. */
class ArchitectureRulesBiteTest {

    @Test
    void theCycleRuleReportsACycleWhenThereIsOne() {
        // the tests have one: root-package properties use check.*, and check's tests use the root's Faults
        JavaClasses withTests = new ClassFileImporter().withImportOption(new ImportOption.DoNotIncludeJars()).importPackages("io.faultfabric.engine");
        assertThat(EngineArchitectureTest.packagesAreFreeOfCycles.evaluate(withTests).hasViolation()).isTrue();
    }

    @Test
    void theRulesSeeEveryMainClass() {
        JavaClasses main = new ClassFileImporter().withImportOptions(List.of(new ImportOption.DoNotIncludeTests(), new ImportOption.DoNotIncludeJars()))
            .importPackages("io.faultfabric.engine");
        assertThat(main.contain(IommuCore.class)).isTrue();
        assertThat(main.contain(io.faultfabric.engine.direct.DirectFabric.class)).isTrue();
        assertThat(main.contain(Faults.class)).isFalse();
        assertThat(EngineArchitectureTest.noPekkoNorScala.evaluate(main).hasViolation()).isFalse();
        assertThat(EngineArchitectureTest.packagesAreFreeOfCycles.evaluate(main).hasViolation()).isFalse();
    }
}
