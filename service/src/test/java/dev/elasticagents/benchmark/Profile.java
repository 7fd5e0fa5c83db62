package dev.elasticagents.benchmark;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the service's CPU went while it ran a closed loop: JDK Flight Recorder's CPU-time samples
 * inside the measured window, by the method on top of the stack (self) and by the libraries
 * anywhere on the stack (inclusive).
 */
record Profile(
    String label,
    String scenario,
    int samples,
    double jvmCpuPercent,
    List<Share> threadCpu,
    List<Share> selfTop,
    List<Share> byLibrary,
    List<Share> ownCode) {

  /** A part of the samples. */
  record Share(String name, int samples, double percent) {}

  private static final int TOP = 15;

  // Libraries in the order a stack is read from the top: a sample counts for each one it holds.
  private static final Map<String, List<String>> LIBRARIES =
      new LinkedHashMap<>(
          Map.ofEntries(
              Map.entry("PostgreSQL JDBC driver", List.of("org.postgresql.")),
              Map.entry("HikariCP pool", List.of("com.zaxxer.hikari.")),
              Map.entry(
                  "Spring JDBC and transactions",
                  List.of("org.springframework.jdbc.", "org.springframework.transaction.")),
              Map.entry("REST client (Apache HttpClient 5)", List.of("org.apache.hc.")),
              Map.entry("Camunda client", List.of("io.camunda.client.")),
              Map.entry("gRPC and Netty", List.of("io.grpc.", "io.netty.")),
              Map.entry("Jackson JSON", List.of("com.fasterxml.jackson.")),
              Map.entry("Micrometer", List.of("io.micrometer.")),
              Map.entry("Logging", List.of("ch.qos.logback.", "org.slf4j.")),
              Map.entry(
                  "Tomcat and Spring MVC",
                  List.of(
                      "org.apache.catalina.",
                      "org.apache.coyote.",
                      "org.apache.tomcat.",
                      "org.springframework.web.")),
              Map.entry("Spring (other)", List.of("org.springframework.")),
              Map.entry("The service's own code", List.of("dev.elasticagents."))));

  static Profile read(String label, String scenario, Path recording, Instant from, Instant to)
      throws IOException {
    Map<String, Integer> self = new HashMap<>();
    Map<String, Integer> libraries = new HashMap<>();
    Map<String, Integer> own = new HashMap<>();
    Map<String, Double> threadLoad = new HashMap<>();
    Map<Long, Integer> threadLoadPeriods = new HashMap<>();
    double jvmLoad = 0;
    int jvmLoadPeriods = 0;
    int samples = 0;
    try (RecordingFile file = new RecordingFile(recording)) {
      while (file.hasMoreEvents()) {
        RecordedEvent event = file.readEvent();
        String type = event.getEventType().getName();
        if (event.getStartTime().isBefore(from) || event.getStartTime().isAfter(to)) {
          continue;
        }
        if (type.equals("jdk.CPULoad")) {
          jvmLoad += event.getFloat("jvmUser") + event.getFloat("jvmSystem");
          jvmLoadPeriods++;
          continue;
        }
        if (type.equals("jdk.ThreadCPULoad") && event.getThread("eventThread") != null) {
          // Summed per kind of thread (the name without its numbers), averaged over the periods.
          String kind =
              String.valueOf(event.getThread("eventThread").getJavaName()).replaceAll("\\d+", "#");
          threadLoad.merge(
              kind, (double) (event.getFloat("user") + event.getFloat("system")), Double::sum);
          threadLoadPeriods.merge(
              event.getThread("eventThread").getJavaThreadId(), 1, Integer::sum);
          continue;
        }
        if (!type.equals("jdk.CPUTimeSample")) {
          continue;
        }
        RecordedStackTrace stack = event.getStackTrace();
        if (stack == null || stack.getFrames().isEmpty()) {
          continue;
        }
        samples++;
        List<String> methods =
            stack.getFrames().stream()
                .filter(RecordedFrame::isJavaFrame)
                .map(Profile::method)
                .toList();
        self.merge(methods.getFirst(), 1, Integer::sum);
        libraries.merge(libraryOf(methods), 1, Integer::sum);
        Set<String> ownOnStack = new LinkedHashSet<>();
        methods.stream()
            .filter(method -> method.startsWith("dev.elasticagents."))
            .forEach(ownOnStack::add);
        ownOnStack.forEach(method -> own.merge(method, 1, Integer::sum));
      }
    }
    int total = samples;
    Function<Map<String, Integer>, List<Share>> top =
        counts ->
            counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()))
                .limit(TOP)
                .map(
                    entry ->
                        new Share(
                            entry.getKey(),
                            entry.getValue(),
                            100.0 * entry.getValue() / Math.max(1, total)))
                .collect(Collectors.toList());
    int periods = threadLoadPeriods.values().stream().mapToInt(Integer::intValue).max().orElse(1);
    int cores = Runtime.getRuntime().availableProcessors();
    List<Share> threads =
        threadLoad.entrySet().stream()
            .map(entry -> Map.entry(entry.getKey(), 100.0 * cores * entry.getValue() / periods))
            .sorted(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()))
            .limit(TOP)
            .map(entry -> new Share(entry.getKey(), 0, entry.getValue()))
            .toList();
    double jvmCpu = jvmLoadPeriods == 0 ? Double.NaN : 100.0 * cores * jvmLoad / jvmLoadPeriods;
    return new Profile(
        label,
        scenario,
        samples,
        jvmCpu,
        threads,
        top.apply(self),
        top.apply(libraries),
        top.apply(own));
  }

  /**
   * The library of the top-most frame that belongs to one: JDK frames count toward the library that
   * called into the JDK.
   */
  private static String libraryOf(List<String> methods) {
    for (String method : methods) {
      for (Map.Entry<String, List<String>> library : LIBRARIES.entrySet()) {
        if (library.getValue().stream().anyMatch(method::startsWith)) {
          return library.getKey();
        }
      }
    }
    return "JDK only (thread scheduling, I/O)";
  }

  private static String method(RecordedFrame frame) {
    return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
  }

  String markdown() {
    StringBuilder text = new StringBuilder();
    text.append("# Profile of the service: ").append(label).append("\n\n");
    text.append(
            "JDK Flight Recorder (settings `profile`, and its CPU-time sampler: a sample every 10"
                + " ms of CPU time of each thread, `jdk.CPUTimeSample`) on the service's JVM while"
                + " it ran the closed loop ")
        .append(scenario)
        .append("; only samples inside the measured window count: ")
        .append(samples)
        .append(" samples. Written by `./mvnw -Pbenchmark test`.\n\n")
        .append(
            "The JVM used %.0f %% of a core on average in the window (`jdk.CPULoad`). "
                .formatted(jvmCpuPercent))
        .append(
            "CPU-time samples count the time a Java thread spends in native code and system calls"
                + " too (a socket write counts toward the library that wrote); what the JIT"
                + " compilers and the garbage collector use shows in the threads' CPU below"
                + " (`jdk.ThreadCPULoad`, in % of one core).\n\n");
    text.append("## CPU by thread\n\n| Thread | CPU %% of a core |\n|---|---:|\n".formatted());
    threadCpu.forEach(
        share ->
            text.append("| `")
                .append(share.name())
                .append("` | ")
                .append("%.1f".formatted(share.percent()))
                .append(" |\n"));
    text.append('\n');
    section(text, "Top frames (self: the method running when sampled)", selfTop);
    section(
        text,
        "By library (the library of the top-most frame that belongs to one; JDK frames count toward"
            + " their caller)",
        byLibrary);
    section(text, "The service's own methods (inclusive)", ownCode);
    return text.toString();
  }

  private static void section(StringBuilder text, String title, List<Share> shares) {
    text.append("## ").append(title).append("\n\n| | Samples | Share |\n|---|---:|---:|\n");
    shares.forEach(
        share ->
            text.append("| `")
                .append(share.name())
                .append("` | ")
                .append(share.samples())
                .append(" | ")
                .append("%.1f %%".formatted(share.percent()))
                .append(" |\n"));
    text.append('\n');
  }
}
