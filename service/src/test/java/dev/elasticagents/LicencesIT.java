package dev.elasticagents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.elasticagents.Sbom.Component;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The service jar and the GoCD plugin jar ship only open-source licences; Camunda's own licences
 * reach the test classpath only through zeebe-process-test. Reads the CycloneDX SBOMs the build
 * writes (cyclonedx-maven-plugin in pom.xml): the ones inside both jars and the test scope's. Runs
 * by failsafe once the jars are packaged.
 */
class LicencesIT {

  /**
   * Components whose POM, parents included, names no licence, each let in for the reason given.
   * Keyed by groupId:artifactId.
   */
  private static final Map<String, String> NO_LICENCE_IN_POM =
      Map.of(
          "net.jcip:jcip-annotations",
          "its sources state the Creative Commons Attribution License 2.5 (jcip.net); on the test"
              + " classpath through zeebe-process-test's engine (camunda-security-core)");

  /** Spring Boot's repackage adds it to BOOT-INF/lib: Spring Boot's own, Apache-2.0. */
  private static final String SPRING_BOOT_JARMODE_TOOLS = "spring-boot-jarmode-tools-";

  /** zeebe-process-test's modules, by package URL: the one way in for Camunda's licences. */
  private static final String ZEEBE_PROCESS_TEST = "pkg:maven/io.camunda/zeebe-process-test-";

  private static Path serviceJar;
  private static Path pluginJar;
  private static Path testScopeSbom;

  @BeforeAll
  static void findTheJarsAndSboms() {
    assumeTrue(
        System.getProperty("service.jar") != null, "runs by failsafe once the jars are packaged");
    serviceJar = Path.of(System.getProperty("service.jar"));
    pluginJar = Path.of(System.getProperty("gocd-plugin.jar"));
    testScopeSbom = Path.of(System.getProperty("test-scope.sbom"));
  }

  @Test
  void theServiceJarShipsOnlyOpenSourceLicences() {
    Sbom sbom = Sbom.inJar(serviceJar);

    assertThat(sbom.components()).hasSizeGreaterThan(50);
    assertNoneRefused(
        "The service jar " + serviceJar.getFileName() + " ships", refusals(sbom.components()));
  }

  @Test
  void theServiceJarsSbomListsEveryLibraryItShips() {
    Set<String> listed = fileNames(Sbom.inJar(serviceJar));

    List<String> unlisted =
        Sbom.libraries(serviceJar, "BOOT-INF/lib/").stream()
            .filter(jar -> !jar.startsWith(SPRING_BOOT_JARMODE_TOOLS) && !listed.contains(jar))
            .toList();
    assertThat(unlisted)
        .withFailMessage(
            () ->
                "The service jar "
                    + serviceJar.getFileName()
                    + " holds jars under BOOT-INF/lib/ that its SBOM does not list, so nothing"
                    + " checked their licences:\n  "
                    + String.join("\n  ", unlisted))
        .isEmpty();
  }

  @Test
  void theGoCdPluginJarShipsOnlyOpenSourceLicences() {
    Sbom sbom = Sbom.inJar(pluginJar);

    assertThat(sbom.components()).extracting(Component::key).contains("com.google.code.gson:gson");
    assertNoneRefused(
        "The GoCD plugin jar " + pluginJar.getFileName() + " ships", refusals(sbom.components()));
  }

  @Test
  void theGoCdPluginJarsSbomListsExactlyTheLibrariesUnderLib() {
    Sbom sbom = Sbom.inJar(pluginJar);

    assertThat(sbom.components().stream().map(Component::fileName))
        .as("the SBOM's components against the jars under lib/")
        .containsExactlyInAnyOrderElementsOf(Sbom.libraries(pluginJar, "lib/"));
  }

  @Test
  void theTestClasspathHasCamundasLicencesOnlyThroughZeebeProcessTest() {
    Sbom sbom = Sbom.at(testScopeSbom);
    Map<String, Component> byRef = byRef(sbom);
    Map<String, String> reachedFrom = reachableAvoidingZeebeProcessTest(sbom);

    List<String> refused = new ArrayList<>();
    for (Component component : sbom.components()) {
      if (isCamundas(component) && reachedFrom.containsKey(component.ref())) {
        refused.add(
            component.coordinates()
                + " "
                + OpenSourceLicences.refusal(component.licences()).orElse("")
                + ", reaches the test classpath through "
                + path(component.ref(), reachedFrom, byRef, sbom.root())
                + ", not through zeebe-process-test");
      }
    }
    assertNoneRefused("The test classpath holds", refused);
  }

  @Test
  void theTestClasspathIsOtherwiseOpenSource() {
    Sbom sbom = Sbom.at(testScopeSbom);

    assertNoneRefused(
        "The test classpath holds",
        refusals(sbom.components().stream().filter(component -> !isCamundas(component)).toList()));
  }

  /** Under the Camunda License or the Zeebe Community License; or Camunda's and unlicensed. */
  private static boolean isCamundas(Component component) {
    return component.licences().stream().anyMatch(OpenSourceLicences::isCamundas)
        || (component.licences().isEmpty() && component.group().startsWith("io.camunda"));
  }

  private static List<String> refusals(List<Component> components) {
    List<String> refused = new ArrayList<>();
    for (Component component : components) {
      Optional<String> refusal = OpenSourceLicences.refusal(component.licences());
      if (refusal.isPresent()
          && !(component.licences().isEmpty() && NO_LICENCE_IN_POM.containsKey(component.key()))) {
        refused.add(component.coordinates() + " " + refusal.get());
      }
    }
    return refused;
  }

  private static void assertNoneRefused(String what, List<String> refused) {
    assertThat(refused)
        .withFailMessage(
            () ->
                what
                    + " components whose licence is not allowed:\n  "
                    + String.join("\n  ", refused))
        .isEmpty();
  }

  /**
   * Each component reachable from the project without passing through a zeebe-process-test module,
   * with the component it was first reached from.
   */
  private static Map<String, String> reachableAvoidingZeebeProcessTest(Sbom sbom) {
    Map<String, String> reachedFrom = new HashMap<>();
    Deque<String> next = new ArrayDeque<>(List.of(sbom.root()));
    while (!next.isEmpty()) {
      String ref = next.removeFirst();
      for (String dependency : sbom.dependsOn().getOrDefault(ref, List.of())) {
        if (!dependency.startsWith(ZEEBE_PROCESS_TEST)
            && !dependency.equals(sbom.root())
            && reachedFrom.putIfAbsent(dependency, ref) == null) {
          next.addLast(dependency);
        }
      }
    }
    return reachedFrom;
  }

  private static String path(
      String ref, Map<String, String> reachedFrom, Map<String, Component> byRef, String root) {
    Deque<String> path = new ArrayDeque<>();
    for (String at = ref; at != null && !at.equals(root); at = reachedFrom.get(at)) {
      Component component = byRef.get(at);
      path.addFirst(component == null ? at : component.key());
    }
    path.addFirst("the project");
    return String.join(" -> ", path);
  }

  private static Map<String, Component> byRef(Sbom sbom) {
    return sbom.components().stream()
        .collect(Collectors.toMap(Component::ref, Function.identity(), (first, second) -> first));
  }

  private static Set<String> fileNames(Sbom sbom) {
    return sbom.components().stream().map(Component::fileName).collect(Collectors.toSet());
  }
}
