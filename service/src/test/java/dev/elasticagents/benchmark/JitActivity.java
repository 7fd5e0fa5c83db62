package dev.elasticagents.benchmark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The CPU time a JVM's JIT compiler threads have used, read from {@code /proc/<pid>/task}: a worker
 * is measured only once its compilers have gone quiet, since a JVM still compiling spends on its
 * JIT what a long-running worker does not.
 */
final class JitActivity {

  // Linux keeps the first 15 characters of a thread's name: "C2 CompilerThre".
  private static final String COMPILER_THREAD = "CompilerThre";
  private static final long CLOCK_TICKS_PER_SECOND = 100;

  private JitActivity() {}

  static Duration compilerCpu(ProcessHandle jvm) {
    long ticks = 0;
    try (DirectoryStream<Path> tasks =
        Files.newDirectoryStream(Path.of("/proc", String.valueOf(jvm.pid()), "task"))) {
      for (Path task : tasks) {
        ticks += compilerTicks(task);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the threads of " + jvm.pid(), e);
    }
    return Duration.ofMillis(ticks * 1000 / CLOCK_TICKS_PER_SECOND);
  }

  private static long compilerTicks(Path task) throws IOException {
    try {
      if (!Files.readString(task.resolve("comm")).contains(COMPILER_THREAD)) {
        return 0;
      }
      // Fields 14 and 15 of stat, utime and stime, follow the name in brackets.
      String stat = Files.readString(task.resolve("stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    } catch (NoSuchFileException e) {
      return 0; // the thread ended meanwhile
    }
  }
}
