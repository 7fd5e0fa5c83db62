package dev.elasticagents.deployment;

import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Camunda minor release, such as 8.8: the unit in which clusters gain model features. */
public record CamundaVersion(int major, int minor) implements Comparable<CamundaVersion> {

  private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)(?:[.\\-+].*)?");
  private static final Comparator<CamundaVersion> ORDER =
      Comparator.comparingInt(CamundaVersion::major).thenComparingInt(CamundaVersion::minor);

  /** Reads {@code 8.6.0}, {@code 8.8.0-alpha3}, {@code 8.8.14-SNAPSHOT} and the like. */
  public static Optional<CamundaVersion> parse(String text) {
    Matcher matcher = VERSION.matcher(text == null ? "" : text.strip());
    if (!matcher.matches()) {
      return Optional.empty();
    }
    return Optional.of(
        new CamundaVersion(Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2))));
  }

  /** Whether this release has everything {@code other} has. */
  public boolean isAtLeast(CamundaVersion other) {
    return compareTo(other) >= 0;
  }

  @Override
  public int compareTo(CamundaVersion other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return major + "." + minor;
  }
}
