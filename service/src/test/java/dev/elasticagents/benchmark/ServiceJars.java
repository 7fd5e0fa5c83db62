package dev.elasticagents.benchmark;

import dev.elasticagents.ElasticAgentWorkersApplication;
import dev.elasticagents.faults.ServiceProcess;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/**
 * The service as its image runs it: its runtime class path as jars only (the image's layout, and
 * the only kind of class path an AOT cache serves), with the benchmark's fixture provider beside
 * it, and an ahead-of-time cache written by a training run as the image's build writes it.
 *
 * <p>Maven writes the runtime class path ({@code benchmark.runtime-class-path-file}); its
 * directories (the service's classes, the modules it depends on) are packed into jars here. The
 * test scope stays out, as it does in the image: Spring Boot's conditions see the same classes.
 */
final class ServiceJars {

  /** The fixture classes the service's JVM needs from the test sources, and nothing else. */
  private static final List<Class<?>> FIXTURES =
      List.of(BenchmarkService.class, SlowLaunchProvider.class, InFlight.class);

  private final String classPath;
  private final Path aotCache;

  private ServiceJars(String classPath, Path aotCache) {
    this.classPath = classPath;
    this.aotCache = aotCache;
  }

  /** Packs the jars under {@code directory} and trains the cache there with these JVM options. */
  static ServiceJars build(Path directory, List<String> jvmOptions, Map<String, String> properties)
      throws IOException, InterruptedException {
    Path jars = directory.resolve("jars");
    Files.createDirectories(jars);
    List<String> entries = new ArrayList<>();
    entries.add(fixtureJar(jars).toString());
    Path serviceClasses = codeSource(ElasticAgentWorkersApplication.class);
    Path serviceJar = jars.resolve("elastic-agent-workers.jar");
    jar(serviceJar, serviceClasses, List.of("."));
    entries.add(serviceJar.toString());
    int packed = 0;
    for (String entry : runtimeClassPath()) {
      Path path = Path.of(entry);
      if (Files.isDirectory(path)) {
        Path jar = jars.resolve("module-" + ++packed + ".jar");
        jar(jar, path, List.of("."));
        entries.add(jar.toString());
      } else {
        entries.add(entry);
      }
    }
    String classPath = String.join(File.pathSeparator, entries);
    Path aotCache = directory.resolve("service.aot");
    train(classPath, aotCache, jvmOptions, properties, directory.resolve("training.log"));
    return new ServiceJars(classPath, aotCache);
  }

  String classPath() {
    return classPath;
  }

  /** The JVM option that runs the service on the cache, as the image's entry point does. */
  String aotCacheOption() {
    return "-XX:AOTCache=" + aotCache;
  }

  private static List<String> runtimeClassPath() throws IOException {
    String file = System.getProperty("benchmark.runtime-class-path-file");
    if (file == null || file.isBlank()) {
      throw new IllegalStateException(
          "Set -Dbenchmark.runtime-class-path-file (the benchmark profile of the service's pom"
              + " does)");
    }
    return Arrays.stream(Files.readString(Path.of(file)).strip().split(File.pathSeparator))
        .filter(entry -> !entry.isBlank())
        .toList();
  }

  /** The fixture classes and their nested classes, from the test classes' directory. */
  private static Path fixtureJar(Path jars) throws IOException {
    Path testClasses = codeSource(BenchmarkService.class);
    Path packageDirectory =
        testClasses.resolve(BenchmarkService.class.getPackageName().replace('.', '/'));
    List<String> files = new ArrayList<>();
    try (Stream<Path> classes = Files.list(packageDirectory)) {
      classes
          .map(path -> path.getFileName().toString())
          .filter(
              name ->
                  FIXTURES.stream()
                      .anyMatch(
                          fixture ->
                              name.equals(fixture.getSimpleName() + ".class")
                                  || name.startsWith(fixture.getSimpleName() + "$")))
          .map(name -> testClasses.relativize(packageDirectory.resolve(name)).toString())
          .forEach(files::add);
    }
    Path jar = jars.resolve("benchmark-fixtures.jar");
    jar(jar, testClasses, files);
    return jar;
  }

  private static Path codeSource(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void jar(Path jar, Path directory, List<String> files) throws IOException {
    Files.deleteIfExists(jar);
    List<String> arguments = new ArrayList<>(List.of("--create", "--file", jar.toString()));
    // -C applies to the one file that follows it.
    files.forEach(file -> arguments.addAll(List.of("-C", directory.toString(), file)));
    StringWriter errors = new StringWriter();
    int status =
        ToolProvider.findFirst("jar")
            .orElseThrow()
            .run(
                new PrintWriter(new StringWriter()),
                new PrintWriter(errors),
                arguments.toArray(String[]::new));
    if (status != 0) {
      throw new IllegalStateException("Cannot pack " + directory + " into " + jar + ": " + errors);
    }
  }

  /**
   * The image's training run: the application context starts and the JVM exits before any worker or
   * server starts ({@code spring.context.exit=onRefresh}), on an in-memory H2 registry, so it
   * reaches nothing outside; the JVM writes the cache as it exits.
   */
  private static void train(
      String classPath,
      Path aotCache,
      List<String> jvmOptions,
      Map<String, String> properties,
      Path log)
      throws IOException, InterruptedException {
    Files.deleteIfExists(aotCache);
    List<String> command = ServiceProcess.java(jvmOptions);
    command.add("-XX:AOTCacheOutput=" + aotCache);
    command.add("-Dspring.context.exit=onRefresh");
    command.add("-D" + InFlight.PEAK_FILE + "=" + log.resolveSibling("training.peak"));
    command.addAll(List.of("-cp", classPath, BenchmarkService.class.getName()));
    properties.forEach((key, value) -> command.add("--" + key + "=" + value));
    command.add("--spring.datasource.url=jdbc:h2:mem:training");
    command.add("--server.port=0");
    command.add("--management.server.port=0");
    Process training =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
            .start();
    if (!training.waitFor(3, TimeUnit.MINUTES)) {
      training.destroyForcibly();
      throw new IllegalStateException("The AOT training run did not end in 3 minutes; see " + log);
    }
    if (training.exitValue() != 0 || !Files.isRegularFile(aotCache)) {
      throw new IllegalStateException(
          "The AOT training run exited with %d, %s; see %s"
              .formatted(
                  training.exitValue(),
                  Files.isRegularFile(aotCache) ? "cache written" : "no cache written",
                  log));
    }
  }
}
