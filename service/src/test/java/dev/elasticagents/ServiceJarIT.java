package dev.elasticagents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The service jar as the image ships it: the GoCD plugin is a module of its own and goes to the
 * GoCD server, so none of it, nor the plugin API GoCD provides, is in here. Runs by failsafe once
 * the jar is packaged.
 */
class ServiceJarIT {

  private static Path jar;

  @BeforeAll
  static void findTheJar() {
    String path = System.getProperty("service.jar");
    assumeTrue(path != null, "runs by failsafe once the service jar is packaged");
    jar = Path.of(path);
  }

  @Test
  void holdsTheServiceAndTheProfileRulesButNoPluginClass() throws IOException {
    assertThat(entries())
        .contains(
            "BOOT-INF/classes/dev/elasticagents/ElasticAgentWorkersApplication.class",
            "BOOT-INF/classes/bpmn/elastic-agent-lifecycle.bpmn")
        .anyMatch(name -> name.matches("BOOT-INF/lib/elastic-agent-workers-gocd-profiles-.+\\.jar"))
        .noneMatch(name -> name.contains("dev/elasticagents/gocd/plugin/"))
        .noneMatch(name -> name.contains("gocd-plugin"))
        .noneMatch(name -> name.contains("go-plugin-api"));
  }

  private static List<String> entries() throws IOException {
    try (JarFile file = new JarFile(jar.toFile())) {
      return Collections.list(file.entries()).stream().map(JarEntry::getName).toList();
    }
  }
}
