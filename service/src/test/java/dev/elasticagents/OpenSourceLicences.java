package dev.elasticagents;

import dev.elasticagents.Sbom.Licence;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Which licences count as open source here, by SPDX id and, since many POMs give a name or a URL
 * instead, by the usual names and URLs of the same licences. Camunda's own licences (the Camunda
 * License, the Zeebe Community License) never do.
 */
final class OpenSourceLicences {

  /**
   * Permissive and weak-copyleft licences: the LGPL, and the GPL only with the Classpath Exception.
   * The plain GPL and the AGPL would bind what links to them, so they are not among them.
   */
  private static final Set<String> IDS =
      Set.of(
              "Apache-1.1",
              "Apache-2.0",
              "MIT",
              "MIT-0",
              "BSD-2-Clause",
              "BSD-3-Clause",
              "0BSD",
              "ISC",
              "PostgreSQL",
              "Zlib",
              "BSL-1.0",
              "EPL-1.0",
              "EPL-2.0",
              "MPL-1.1",
              "MPL-2.0",
              "MPL-2.0-no-copyleft-exception",
              "LGPL-2.1",
              "LGPL-2.1-only",
              "LGPL-2.1-or-later",
              "LGPL-2.1+",
              "LGPL-3.0",
              "LGPL-3.0-only",
              "LGPL-3.0-or-later",
              "LGPL-3.0+",
              "CDDL-1.0",
              "CDDL-1.1",
              "GPL-2.0-with-classpath-exception",
              "UPL-1.0",
              "CC0-1.0",
              "Unlicense")
          .stream()
          .map(id -> id.toLowerCase(Locale.ROOT))
          .collect(Collectors.toUnmodifiableSet());

  private static final String VERSION = "( ?version| ?v)? ?";

  /** Names after {@link #normalized}: lower case, words only, "licence" spelt "license". */
  private static final List<Pattern> NAMES =
      compile(
          "(apache|apache software|apache public|asf|asl)( license)?"
              + VERSION
              + "2( 0)?( license)?",
          "mit( license)?|mit 0|expat( license)?",
          "((new|revised|simplified|modified|[23] clause) )?bsd( [23] clause)?( new| simplified)?"
              + "( license)?( [23]( 0)?)?|0bsd",
          "isc( license)?|zlib( license)?|postgresql( license)?|go license|bouncy castle license",
          "boost software license(" + VERSION + "1( 0)?)?",
          "(eclipse public license|epl)(" + VERSION + "[12]( 0)?)?",
          "(eclipse distribution license|edl)(" + VERSION + "1( 0)?)?",
          "(mozilla public license|mpl)(" + VERSION + "(1 1|2|2 0))?",
          "((gnu )?(lesser|library) general public license|(gnu )?lgpl)"
              + "("
              + VERSION
              + "(2|2 1|3|3 0))?( only| or later| or any later version)?",
          "(common development and distribution license( cddl)?|cddl)(" + VERSION + "1( [01])?)?",
          "((cddl( 1 [01])?|common development and distribution license)( or| and)? )?"
              + "(gnu )?(gpl|general public license)("
              + VERSION
              + "2( 0)?)?( only)?( with| w)( the)?( gnu)? (classpath exception|cpe)( 2 0)?",
          "(universal permissive license|upl)(" + VERSION + "1( 0)?)?",
          "public domain|unlicense|cc0(" + VERSION + "1( 0)?)?( universal)?",
          "creative commons (zero|cc0)(" + VERSION + "1( 0)?)?( universal)?",
          "creative commons cc0 1 0 universal( public domain dedication)?");

  /** URLs after {@link #normalizedUrl}: no scheme, no www., no extension or trailing slash. */
  private static final List<Pattern> URLS =
      compile(
          "apache\\.org/licenses/license-2\\.0",
          "opensource\\.org/licenses?/(mit|apache-2\\.0|apache2\\.0|bsd-2-clause|bsd-3-clause"
              + "|bsd-license|0bsd|isc|isc-license|epl-1\\.0|epl-2\\.0|eclipse-1\\.0|eclipse-2\\.0"
              + "|mpl-2\\.0|lgpl-2\\.1|lgpl-3\\.0|lgpl-license|cddl-1\\.0|cddl1|upl)",
          "eclipse\\.org/legal/epl-(v10|v20|2\\.0)",
          "eclipse\\.org/org/documents/(epl-v10|edl-v10|epl-2\\.0/epl-2\\.0)",
          "mozilla\\.org/(en-us/)?mpl/(2\\.0|mpl-1\\.1)",
          "gnu\\.org/licenses/(lgpl|lgpl-2\\.1|lgpl-3\\.0|old-licenses/lgpl-2\\.1)",
          "gnu\\.org/copyleft/lesser",
          "creativecommons\\.org/publicdomain/zero/1\\.0(/legalcode)?",
          "oss\\.oracle\\.com/licenses/upl",
          "bouncycastle\\.org/licence");

  /** The Camunda License and the Zeebe Community License, whatever their version. */
  private static final Pattern CAMUNDA_NAME =
      Pattern.compile(".*\\b(camunda|zeebe)\\b.*\\blicense\\b.*");

  private static final Pattern CAMUNDA_URL =
      Pattern.compile("(.*\\.)?(camunda\\.com|camunda\\.io|zeebe\\.io)/.*(legal|licen[cs]e).*");

  private OpenSourceLicences() {}

  /**
   * Why a component with these licences may not be used, or empty when it may. Licences listed
   * together are alternatives (Maven's POM reference: the user can select any of them), so one
   * open-source licence is enough, but any of Camunda's own refuses the component.
   */
  static Optional<String> refusal(List<Licence> licences) {
    if (licences.isEmpty()) {
      return Optional.of("no licence in its POM");
    }
    String listed = licences.stream().map(Licence::toString).collect(Collectors.joining(" or "));
    if (licences.stream().anyMatch(OpenSourceLicences::isCamundas)) {
      return Optional.of("under " + listed + ", Camunda's own licence");
    }
    if (licences.stream().noneMatch(OpenSourceLicences::isOpenSource)) {
      return Optional.of("under " + listed + ", not an allowed open-source licence");
    }
    return Optional.empty();
  }

  static boolean isCamundas(Licence licence) {
    return (licence.id() != null && CAMUNDA_NAME.matcher(normalized(licence.id())).matches())
        || (licence.name() != null && CAMUNDA_NAME.matcher(normalized(licence.name())).matches())
        || (licence.expression() != null
            && CAMUNDA_NAME.matcher(normalized(licence.expression())).matches())
        || (licence.url() != null && CAMUNDA_URL.matcher(normalizedUrl(licence.url())).matches());
  }

  static boolean isOpenSource(Licence licence) {
    if (isCamundas(licence)) {
      return false;
    }
    if (licence.expression() != null) {
      return isOpenSourceExpression(licence.expression());
    }
    return (licence.id() != null && IDS.contains(licence.id().toLowerCase(Locale.ROOT)))
        || (licence.name() != null && matchesAny(NAMES, normalized(licence.name())))
        || (licence.url() != null && matchesAny(URLS, normalizedUrl(licence.url())));
  }

  /** An SPDX expression: one of its OR alternatives whose AND terms are all open source. */
  private static boolean isOpenSourceExpression(String expression) {
    String flat = expression.replace("(", " ").replace(")", " ").trim();
    for (String alternative : flat.split("\\s+OR\\s+")) {
      boolean all = true;
      for (String term : alternative.split("\\s+AND\\s+")) {
        all &= isOpenSourceTerm(term.trim());
      }
      if (all) {
        return true;
      }
    }
    return false;
  }

  private static boolean isOpenSourceTerm(String term) {
    String[] with = term.split("\\s+WITH\\s+");
    String id = with[0].toLowerCase(Locale.ROOT);
    if (IDS.contains(id)) {
      return true;
    }
    return with.length == 2
        && id.matches("gpl-2\\.0(-only|-or-later|\\+)?")
        && with[1].equalsIgnoreCase("Classpath-exception-2.0");
  }

  static String normalized(String name) {
    String text =
        name.toLowerCase(Locale.ROOT)
            .replace("licence", "license")
            .replace("&", " and ")
            .replaceAll("[^a-z0-9]+", " ")
            .strip();
    return text.startsWith("the ") ? text.substring(4) : text;
  }

  static String normalizedUrl(String url) {
    return url.toLowerCase(Locale.ROOT)
        .strip()
        .replaceFirst("^[a-z]+://", "")
        .replaceFirst("^www\\.", "")
        .replaceFirst("/+$", "")
        .replaceFirst("\\.(txt|html?|php|md)$", "");
  }

  private static boolean matchesAny(List<Pattern> patterns, String text) {
    return patterns.stream().anyMatch(pattern -> pattern.matcher(text).matches());
  }

  private static List<Pattern> compile(String... patterns) {
    return Arrays.stream(patterns).map(Pattern::compile).toList();
  }
}
