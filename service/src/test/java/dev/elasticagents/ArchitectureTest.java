package dev.elasticagents;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The service's packages by role, one way down: the Zeebe job handlers ({@code agent.jobs}) on the
 * decisions ({@code agent.lifecycle}) on the registry ({@code agent.registry}) on the agent
 * vocabulary and provider SPI ({@code agent}); the providers ({@code agent.provider.*}) on the
 * vocabulary alone; and the worker runtime on nothing of agents.
 */
class ArchitectureTest {

  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.elasticagents");

  @Test
  void packagesAreFreeOfCycles() {
    slices().matching("dev.elasticagents.(**)").should().beFreeOfCycles().check(CLASSES);
  }

  @Test
  void onlyTheRegistryUsesJdbcAndTransactions() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.elasticagents.agent.registry..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "java.sql..",
            "javax.sql..",
            "org.springframework.jdbc..",
            "org.springframework.transaction..",
            "jakarta.transaction..")
        .check(CLASSES);
  }

  @Test
  void onlyTheRuntimeTheJobHandlersTheApprovalsAndTheDeploymentUseTheCamundaClient() {
    noClasses()
        .that()
        .resideOutsideOfPackages(
            "dev.elasticagents.runtime..",
            "dev.elasticagents.agent.jobs..",
            "dev.elasticagents.approval..",
            "dev.elasticagents.deployment..")
        // The GoCD endpoint publishes two of GoCD's messages itself, which the runtime's publisher
        // (a message id, a correlation key) cannot: agent-requested, kept for no time, and
        // server-ping, correlated to no key; and it answers 503 when the client cannot reach the
        // cluster.
        .and()
        .doNotHaveFullyQualifiedName("dev.elasticagents.gocd.endpoint.GoCdMessages")
        .and()
        .doNotHaveFullyQualifiedName("dev.elasticagents.gocd.endpoint.GoCdEndpointProblems")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.camunda.client..", "io.camunda.zeebe.client..", "io.camunda.spring..")
        .check(CLASSES);
  }

  @Test
  void theRuntimeKnowsNothingOfAgents() {
    noClasses()
        .that()
        .resideInAPackage("dev.elasticagents.runtime..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.elasticagents.agent..")
        .check(CLASSES);
  }

  @Test
  void theAgentVocabularyDependsOnNoneOfItsSubpackages() {
    noClasses()
        .that()
        .resideInAPackage("dev.elasticagents.agent")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.elasticagents.agent.*..")
        .check(CLASSES);
  }

  @Test
  void providersDependOnNeitherTheRegistryNorTheLifecycleNorTheJobs() {
    noClasses()
        .that()
        .resideInAPackage("dev.elasticagents.agent.provider..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.elasticagents.agent.registry..",
            "dev.elasticagents.agent.lifecycle..",
            "dev.elasticagents.agent.jobs..")
        .check(CLASSES);
  }

  @Test
  void theRegistryDependsOnNeitherTheLifecycleNorTheJobs() {
    noClasses()
        .that()
        .resideInAPackage("dev.elasticagents.agent.registry..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.elasticagents.agent.lifecycle..", "dev.elasticagents.agent.jobs..")
        .check(CLASSES);
  }

  @Test
  void theLifecycleDoesNotDependOnTheJobs() {
    noClasses()
        .that()
        .resideInAPackage("dev.elasticagents.agent.lifecycle..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.elasticagents.agent.jobs..")
        .check(CLASSES);
  }
}
