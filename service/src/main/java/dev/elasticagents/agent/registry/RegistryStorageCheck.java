package dev.elasticagents.agent.registry;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Says at start-up when the registry would be lost without a word: an H2 file under the temporary
 * directory (the embedded default) serves one machine, and a container loses it on every restart,
 * with every agent it knew, which then leak.
 */
@Component
class RegistryStorageCheck {

  private static final Logger log = LoggerFactory.getLogger(RegistryStorageCheck.class);

  private final String url;
  private final Path temporaryDirectory;

  @Autowired
  RegistryStorageCheck(@Value("${spring.datasource.url:}") String url) {
    this(url, Path.of(System.getProperty("java.io.tmpdir")));
  }

  RegistryStorageCheck(String url, Path temporaryDirectory) {
    this.url = url;
    this.temporaryDirectory = temporaryDirectory.toAbsolutePath().normalize();
  }

  @EventListener(ApplicationStartedEvent.class)
  void warnIfTemporary() {
    warning().ifPresent(log::warn);
  }

  /** The warning for this registry, if it needs one. */
  Optional<String> warning() {
    return h2File()
        .filter(file -> file.startsWith(temporaryDirectory))
        .map(
            file ->
                ("The registry is an H2 file under the temporary directory (%s): it serves one"
                     + " machine and does not survive a container restart, which would forget every"
                     + " agent it knows. Set SPRING_DATASOURCE_URL to PostgreSQL for anything but a"
                     + " trial.")
                    .formatted(file));
  }

  /** The file of an H2 URL that names one: {@code jdbc:h2:[file:]path[;options]}. */
  private Optional<Path> h2File() {
    String lower = url.toLowerCase(Locale.ROOT);
    if (!lower.startsWith("jdbc:h2:")) {
      return Optional.empty();
    }
    String location = url.substring("jdbc:h2:".length()).split(";", 2)[0];
    String scheme = location.toLowerCase(Locale.ROOT);
    if (scheme.startsWith("mem:")
        || scheme.startsWith("tcp:")
        || scheme.startsWith("ssl:")
        || scheme.startsWith("zip:")) {
      return Optional.empty();
    }
    if (scheme.startsWith("file:")) {
      location = location.substring("file:".length());
    }
    if (location.startsWith("~")) {
      location = System.getProperty("user.home") + location.substring(1);
    }
    try {
      return Optional.of(Path.of(location).toAbsolutePath().normalize());
    } catch (InvalidPathException e) {
      return Optional.empty();
    }
  }
}
