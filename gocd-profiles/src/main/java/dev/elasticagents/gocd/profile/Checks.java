package dev.elasticagents.gocd.profile;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** The value rules the profiles share. Problems never repeat the value: it may be a secret. */
final class Checks {

  private static final Pattern DIGITS = Pattern.compile("[0-9]+");

  private Checks() {}

  static PropertyRule.Check matching(Pattern pattern, String problem) {
    return value -> pattern.matcher(value).matches() ? Optional.empty() : Optional.of(problem);
  }

  static PropertyRule.Check positiveWholeNumber() {
    return value -> {
      if (!DIGITS.matcher(value).matches()) {
        return Optional.of("must be a positive whole number");
      }
      try {
        return Integer.parseInt(value) > 0
            ? Optional.empty()
            : Optional.of("must be a positive whole number");
      } catch (NumberFormatException tooLarge) {
        return Optional.of("must be a positive whole number of at most " + Integer.MAX_VALUE);
      }
    };
  }

  /**
   * Whole minutes ("10") or an ISO-8601 duration ("PT10M"), zero allowed unless {@code positive}.
   */
  /**
   * The longest duration a profile may set: a year stands for "never" in practice, and every
   * deadline computed from it stays far inside what time arithmetic can hold.
   */
  static final Duration LONGEST_DURATION = Duration.ofDays(365);

  static PropertyRule.Check duration(boolean positive) {
    return value -> {
      Optional<Duration> duration = parseDuration(value);
      if (duration.isEmpty()) {
        return Optional.of("must be whole minutes or an ISO-8601 duration such as PT10M");
      }
      if (duration.get().isNegative()) {
        return Optional.of("must not be negative");
      }
      if (positive && duration.get().isZero()) {
        return Optional.of("must be longer than zero");
      }
      if (duration.get().compareTo(LONGEST_DURATION) > 0) {
        return Optional.of("must be at most 365 days (P365D or 525600 minutes)");
      }
      return Optional.empty();
    };
  }

  private static Optional<Duration> parseDuration(String value) {
    try {
      return Optional.of(
          DIGITS.matcher(value).matches()
              ? Duration.ofMinutes(Long.parseLong(value))
              : Duration.parse(value));
    } catch (DateTimeParseException | ArithmeticException | NumberFormatException notADuration) {
      return Optional.empty();
    }
  }

  /**
   * An absolute http(s) URL with a host and neither user information (credentials belong in secure
   * properties, not in a URL that is shown and logged) nor query nor fragment.
   */
  static PropertyRule.Check httpUrl(String pathSuffix, String example) {
    String expected =
        pathSuffix.isEmpty()
            ? "must be an http or https URL such as " + example
            : "must be an http or https URL ending in " + pathSuffix + " such as " + example;
    return value -> {
      URI uri;
      try {
        uri = new URI(value);
      } catch (URISyntaxException notAUri) {
        return Optional.of(expected);
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
        return Optional.of(expected);
      }
      if (uri.getRawUserInfo() != null) {
        return Optional.of("must not contain a user name or password");
      }
      if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
        return Optional.of("must not have a query or fragment");
      }
      String path = uri.getRawPath() == null ? "" : uri.getRawPath();
      if (!pathSuffix.isEmpty()
          && !(path.endsWith(pathSuffix) || path.endsWith(pathSuffix + "/"))) {
        return Optional.of(expected);
      }
      return Optional.empty();
    };
  }
}
