package dev.elasticagents.gocd.plugin;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * GoCD loads the plugin with nothing but the plugin API beside it, and the service's workers use
 * the profile rules: neither may reach into the service or its libraries.
 */
class PluginArchitectureTest {

  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.elasticagents.gocd");

  @Test
  void thePluginDependsOnlyOnTheJdkGsonThePluginApiAndTheProfiles() {
    classes()
        .that()
        .resideInAPackage("..gocd.plugin..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "java..",
            "javax..",
            "com.google.gson..",
            "com.thoughtworks.go.plugin.api..",
            "dev.elasticagents.gocd.plugin..",
            "dev.elasticagents.gocd.profile..")
        .check(CLASSES);
  }

  @Test
  void theProfilesDependOnlyOnTheJdk() {
    classes()
        .that()
        .resideInAPackage("..gocd.profile..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("java..", "dev.elasticagents.gocd.profile..")
        .check(CLASSES);
  }
}
