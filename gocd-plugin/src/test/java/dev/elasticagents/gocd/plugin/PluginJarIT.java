package dev.elasticagents.gocd.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.thoughtworks.go.plugin.api.GoPlugin;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** The built GoCD plugin jar, checked as GoCD would find and load it. Runs after package. */
class PluginJarIT {

  private static final String PLUGIN_CLASS = "dev.elasticagents.gocd.plugin.ElasticAgentPlugin";

  private static Path jar;

  @BeforeAll
  static void findTheJar() {
    String path = System.getProperty("gocd-plugin.jar");
    assumeTrue(path != null, "runs by failsafe once the plugin jar is packaged");
    jar = Path.of(path);
    assertThat(jar).isRegularFile();
  }

  @Test
  void pluginXmlAtTheRootIdentifiesThePluginAndItsVersion() throws Exception {
    Document descriptor;
    try (JarFile file = new JarFile(jar.toFile());
        InputStream in = file.getInputStream(file.getEntry("plugin.xml"))) {
      descriptor = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in);
    }

    Element root = descriptor.getDocumentElement();
    assertThat(root.getTagName()).isEqualTo("go-plugin");
    assertThat(root.getAttribute("id")).isEqualTo("dev.elasticagents.zeebe");
    assertThat(root.getAttribute("version")).isEqualTo("1");
    assertThat(text(root, "version"))
        .isEqualTo(System.getProperty("gocd-plugin.version"))
        .doesNotContain("$");
    // The oldest GoCD with elastic-agent extension v5 that runs on Java 17.
    assertThat(text(root, "target-go-version")).isEqualTo("22.1.0");
    assertThat(text(root, "name")).isNotBlank();
    assertThat(text(root, "description")).isNotBlank();
  }

  @Test
  void holdsThePluginClassItsResourcesAndTheProfileRulesAndGsonUnderLib() throws IOException {
    assertThat(entries())
        .contains(
            "dev/elasticagents/gocd/plugin/ElasticAgentPlugin.class",
            "dev/elasticagents/gocd/plugin/icon.svg",
            "dev/elasticagents/gocd/plugin/cluster-profile-view.html",
            "dev/elasticagents/gocd/plugin/elastic-agent-profile-view.html")
        .anyMatch(name -> name.matches("lib/gson-[0-9.]+\\.jar"))
        .anyMatch(name -> name.matches("lib/elastic-agent-workers-gocd-profiles-.+\\.jar"));
  }

  @Test
  void holdsOnlyThePluginsOwnClasses() throws IOException {
    assertThat(entries())
        .filteredOn(name -> name.endsWith(".class"))
        .isNotEmpty()
        .allMatch(name -> name.startsWith("dev/elasticagents/gocd/plugin/"));
  }

  @Test
  void itsOwnClassesAndTheProfileRulesAreJava17Bytecode(@TempDir Path libraries)
      throws IOException {
    Map<String, Integer> ours = new TreeMap<>();
    Map<String, Integer> all = new TreeMap<>();
    forEachClass(
        libraries,
        (name, major) -> {
          all.put(name, major);
          if (name.startsWith("dev/elasticagents/")) {
            ours.put(name, major);
          }
        });

    assertThat(ours)
        .containsKey("dev/elasticagents/gocd/plugin/ElasticAgentPlugin.class")
        .containsKey("dev/elasticagents/gocd/profile/ClusterProfileProperties.class");
    assertThat(ours.values()).as("class file major versions of %s", ours.keySet()).containsOnly(61);
    assertThat(all)
        .as("no class, Gson's included, needs more than the Java 17 GoCD servers run on")
        .allSatisfy((name, major) -> assertThat(major).as(name).isLessThanOrEqualTo(61));
  }

  @Test
  void holdsNoPluginApiClasses() throws IOException {
    assertThat(entries()).noneMatch(name -> name.startsWith("com/thoughtworks/go/plugin/api"));
  }

  @Test
  void answersGetCapabilitiesWhenLoadedAsGoCdLoadsIt(@TempDir Path libraries) throws Exception {
    try (URLClassLoader api = apiOnlyLoader();
        URLClassLoader plugin = pluginLoader(libraries, api)) {
      Class<?> pluginClass = plugin.loadClass(PLUGIN_CLASS);
      assertThat(pluginClass.getClassLoader()).isSameAs(plugin);
      assertThat(pluginClass.isAnnotationPresent(annotation(api))).isTrue();
      Object instance = pluginClass.getDeclaredConstructor().newInstance();

      assertThat(handle(api, instance, "cd.go.elastic-agent.get-capabilities", null))
          .isEqualTo(
              "200 {\"supports_plugin_status_report\":true,\"supports_cluster_status_report\":true,\"supports_agent_status_report\":true}");
    }
  }

  @Test
  void validatesAProfileWithGsonFromItsLibWhenLoadedAsGoCdLoadsIt(@TempDir Path libraries)
      throws Exception {
    try (URLClassLoader api = apiOnlyLoader();
        URLClassLoader plugin = pluginLoader(libraries, api)) {
      Object instance = plugin.loadClass(PLUGIN_CLASS).getDeclaredConstructor().newInstance();

      assertThat(
              handle(
                  api,
                  instance,
                  "cd.go.elastic-agent.validate-elastic-agent-profile",
                  "{\"reuse_agents\":\"maybe\"}"))
          .isEqualTo(
              "200 [{\"key\":\"reuse_agents\",\"message\":\"Reuse agents must be true or"
                  + " false\"}]");
      assertThat(handle(api, instance, "cd.go.elastic-agent.get-cluster-profile-view", null))
          .contains("ng-model=\\\"service_url\\\"");
      assertThat(plugin.loadClass("com.google.gson.Gson").getClassLoader()).isSameAs(plugin);
    }
  }

  /** GoCD's parent loader for plugins offers the plugin API and the JDK, nothing else. */
  private static URLClassLoader apiOnlyLoader() throws Exception {
    URL apiJar = GoPlugin.class.getProtectionDomain().getCodeSource().getLocation();
    return new URLClassLoader(new URL[] {apiJar}, ClassLoader.getPlatformClassLoader());
  }

  /** Every class in the jar and in the jars under its lib/, with its class file major version. */
  private static void forEachClass(Path libraries, BiConsumer<String, Integer> visit)
      throws IOException {
    List<Path> jars = new ArrayList<>(List.of(jar));
    jars.addAll(extractLibraries(libraries));
    for (Path each : jars) {
      try (JarFile file = new JarFile(each.toFile())) {
        for (JarEntry entry : Collections.list(file.entries())) {
          if (entry.getName().endsWith(".class")) {
            try (DataInputStream in = new DataInputStream(file.getInputStream(entry))) {
              in.readInt(); // 0xCAFEBABE
              in.readUnsignedShort(); // minor
              visit.accept(entry.getName(), in.readUnsignedShort());
            }
          }
        }
      }
    }
  }

  /** The jars of the plugin's lib/ folder, extracted as GoCD extracts them. */
  private static List<Path> extractLibraries(Path libraries) throws IOException {
    List<Path> extracted = new ArrayList<>();
    try (JarFile file = new JarFile(jar.toFile())) {
      for (JarEntry entry : Collections.list(file.entries())) {
        if (entry.getName().startsWith("lib/") && entry.getName().endsWith(".jar")) {
          Path library = libraries.resolve(Path.of(entry.getName()).getFileName());
          try (InputStream in = file.getInputStream(entry)) {
            Files.copy(in, library);
          }
          extracted.add(library);
        }
      }
    }
    return extracted;
  }

  /** The plugin jar with the jars of its lib/ folder, extracted as GoCD extracts them. */
  private static URLClassLoader pluginLoader(Path libraries, ClassLoader parent)
      throws IOException {
    List<URL> urls = new ArrayList<>();
    urls.add(jar.toUri().toURL());
    for (Path library : extractLibraries(libraries)) {
      urls.add(library.toUri().toURL());
    }
    return new URLClassLoader(urls.toArray(URL[]::new), parent);
  }

  @SuppressWarnings("unchecked")
  private static Class<? extends Annotation> annotation(ClassLoader api)
      throws ClassNotFoundException {
    return (Class<? extends Annotation>)
        api.loadClass("com.thoughtworks.go.plugin.api.annotation.Extension");
  }

  /** Calls handle through the isolated loaders: the test's own API classes are not theirs. */
  private static String handle(ClassLoader api, Object plugin, String name, String body)
      throws Exception {
    Class<?> requestClass =
        api.loadClass("com.thoughtworks.go.plugin.api.request.DefaultGoPluginApiRequest");
    Object request =
        requestClass
            .getConstructor(String.class, String.class, String.class)
            .newInstance("elastic-agent", "5.0", name);
    requestClass.getMethod("setRequestBody", String.class).invoke(request, body);
    Object response =
        plugin
            .getClass()
            .getMethod(
                "handle",
                api.loadClass("com.thoughtworks.go.plugin.api.request.GoPluginApiRequest"))
            .invoke(plugin, request);
    Object code = response.getClass().getMethod("responseCode").invoke(response);
    Object responseBody = response.getClass().getMethod("responseBody").invoke(response);
    return code + " " + responseBody;
  }

  private static List<String> entries() throws IOException {
    try (JarFile file = new JarFile(jar.toFile())) {
      return Collections.list(file.entries()).stream().map(JarEntry::getName).toList();
    }
  }

  private static String text(Element root, String tag) {
    return root.getElementsByTagName(tag).item(0).getTextContent().strip();
  }
}
