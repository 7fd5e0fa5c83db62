package dev.elasticagents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * A CycloneDX SBOM as cyclonedx-maven-plugin writes it: its components with the licences their POMs
 * state, and its dependency graph from the project, its root.
 */
record Sbom(String root, List<Sbom.Component> components, Map<String, List<String>> dependsOn) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One licence as the SBOM gives it: an SPDX id, a name and a URL, or an SPDX expression. */
  record Licence(String id, String name, String url, String expression) {

    @Override
    public String toString() {
      String text = expression != null ? expression : id != null ? id : "'" + name + "'";
      return url == null ? text : text + " (" + url + ")";
    }
  }

  record Component(
      String ref,
      String group,
      String name,
      String version,
      String classifier,
      List<Licence> licences) {

    /** groupId:artifactId, the key of the allow-lists. */
    String key() {
      return group + ":" + name;
    }

    /** groupId:artifactId:version[:classifier], as failure messages name it. */
    String coordinates() {
      return key() + ":" + version + (classifier == null ? "" : ":" + classifier);
    }

    /** The name of its jar as Maven copies it into a jar's library folder. */
    String fileName() {
      return name + "-" + version + (classifier == null ? "" : "-" + classifier) + ".jar";
    }
  }

  /** The SBOM a jar carries where its manifest's Sbom-Location says. */
  static Sbom inJar(Path jar) {
    try (JarFile file = new JarFile(jar.toFile())) {
      String location = file.getManifest().getMainAttributes().getValue("Sbom-Location");
      if (location == null) {
        throw new IllegalStateException(jar + " names no Sbom-Location in its manifest");
      }
      JarEntry entry = file.getJarEntry(location);
      if (entry == null) {
        throw new IllegalStateException(jar + " has no " + location);
      }
      try (InputStream in = file.getInputStream(entry)) {
        return read(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Sbom at(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The names of the jars under a folder of a jar, such as lib/ or BOOT-INF/lib/. */
  static List<String> libraries(Path jar, String folder) {
    try (JarFile file = new JarFile(jar.toFile())) {
      return Collections.list(file.entries()).stream()
          .map(JarEntry::getName)
          .filter(name -> name.startsWith(folder) && name.endsWith(".jar"))
          .map(name -> name.substring(folder.length()))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Sbom read(InputStream in) throws IOException {
    JsonNode bom = JSON.readTree(in);
    List<Component> components = new ArrayList<>();
    for (JsonNode component : bom.path("components")) {
      List<Licence> licences = new ArrayList<>();
      for (JsonNode choice : component.path("licenses")) {
        JsonNode licence = choice.path("license");
        licences.add(
            new Licence(
                text(licence, "id"),
                text(licence, "name"),
                text(licence, "url"),
                text(choice, "expression")));
      }
      components.add(
          new Component(
              text(component, "bom-ref"),
              text(component, "group"),
              text(component, "name"),
              text(component, "version"),
              classifier(text(component, "purl")),
              List.copyOf(licences)));
    }
    Map<String, List<String>> dependsOn = new LinkedHashMap<>();
    for (JsonNode dependency : bom.path("dependencies")) {
      List<String> refs = new ArrayList<>();
      dependency.path("dependsOn").forEach(ref -> refs.add(ref.asText()));
      dependsOn.put(dependency.path("ref").asText(), List.copyOf(refs));
    }
    return new Sbom(
        bom.path("metadata").path("component").path("bom-ref").asText(),
        List.copyOf(components),
        Map.copyOf(dependsOn));
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  /** The classifier of a package URL such as pkg:maven/g/a@v?classifier=linux-x86_64&type=jar. */
  private static String classifier(String purl) {
    if (purl == null || !purl.contains("?")) {
      return null;
    }
    for (String qualifier : purl.substring(purl.indexOf('?') + 1).split("&")) {
      if (qualifier.startsWith("classifier=")) {
        String value = qualifier.substring("classifier=".length());
        return URLDecoder.decode(value, StandardCharsets.UTF_8);
      }
    }
    return null;
  }
}
