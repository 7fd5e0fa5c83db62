package dev.elasticagents.deploy;

import static org.assertj.core.api.Assumptions.assumeThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The Kubernetes manifests under deploy/kubernetes as the cluster would receive them: built by
 * {@code kubectl kustomize} (offline: it reads the files only) and read as fabric8's typed objects.
 */
final class KubernetesManifests {

  static final Path BASE = Path.of("deploy/kubernetes/base");
  static final Path PRODUCTION = Path.of("deploy/kubernetes/overlays/production");
  static final Path SECRETS_EXAMPLE = BASE.resolve("secrets.example.yaml");

  private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private static Builds builds;

  private KubernetesManifests() {}

  /** The base and the production overlay as kustomize builds them, each once per test run. */
  record Builds(List<HasMetadata> base, List<HasMetadata> production) {

    /** Both builds, by name, for parameterised tests. */
    Stream<Arguments> arguments() {
      return Stream.of(Arguments.of("base", base), Arguments.of("production", production));
    }
  }

  /**
   * Builds the base and the overlay the first time a test asks; skips the test where no kubectl is
   * installed.
   */
  static synchronized Builds built() throws IOException, InterruptedException {
    assumeThat(kubectl())
        .as(
            "kubectl is not on the PATH, so the Kubernetes manifests cannot be built here (CI"
                + " installs it: .ci/run)")
        .isPresent();
    if (builds == null) {
      builds = new Builds(build(BASE), build(PRODUCTION));
    }
    return builds;
  }

  /** The kubectl on the PATH; CI installs one (.ci/run). */
  static Optional<Path> kubectl() {
    return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .filter(directory -> !directory.isBlank())
        .map(directory -> Path.of(directory, "kubectl"))
        .filter(Files::isExecutable)
        .findFirst();
  }

  /** {@code kubectl kustomize <directory>}, read as objects; fails with kubectl's own words. */
  static List<HasMetadata> build(Path kustomization) throws IOException, InterruptedException {
    Path errors = Files.createTempFile("kustomize", ".log");
    try {
      Process kustomize =
          new ProcessBuilder(
                  kubectl().orElseThrow().toString(), "kustomize", kustomization.toString())
              .redirectError(errors.toFile())
              .start();
      String output = new String(kustomize.getInputStream().readAllBytes());
      if (!kustomize.waitFor(60, TimeUnit.SECONDS) || kustomize.exitValue() != 0) {
        throw new AssertionError(
            "kubectl kustomize " + kustomization + " failed: " + Files.readString(errors));
      }
      return read(output);
    } finally {
      Files.deleteIfExists(errors);
    }
  }

  /** The objects of a manifest file as it is. */
  static List<HasMetadata> read(Path manifest) throws IOException {
    return read(Files.readString(manifest));
  }

  /** The one object of this kind. */
  static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> kind) {
    List<T> ofKind = all(objects, kind);
    if (ofKind.size() != 1) {
      throw new AssertionError("Expected one " + kind.getSimpleName() + ", found " + ofKind.size());
    }
    return ofKind.getFirst();
  }

  static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> kind) {
    return objects.stream().filter(kind::isInstance).map(kind::cast).toList();
  }

  private static List<HasMetadata> read(String yaml) {
    return DOCUMENT_SEPARATOR
        .splitAsStream(yaml)
        .filter(document -> document.lines().anyMatch(line -> line.startsWith("kind:")))
        .map(document -> (HasMetadata) SERIALIZATION.unmarshal(document))
        .toList();
  }
}
