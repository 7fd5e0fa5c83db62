package dev.elasticagents.gocd.plugin;

/** Text from elsewhere made fit for GoCD's pages and logs. */
final class Text {

  private Text() {}

  /**
   * One printable line of at most {@code maxLength} characters, the service's token masked in case
   * the service ever echoes it.
   */
  static String safe(String text, ServiceTarget target, int maxLength) {
    String safe = text.replaceAll("\\p{Cntrl}+", " ").strip();
    if (target != null && !target.token().isEmpty()) {
      safe = safe.replace(target.token(), "****");
    }
    return safe.length() <= maxLength ? safe : safe.substring(0, maxLength) + "...";
  }

  static String escapeHtml(String text) {
    StringBuilder escaped = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '<' -> escaped.append("&lt;");
        case '>' -> escaped.append("&gt;");
        case '&' -> escaped.append("&amp;");
        case '"' -> escaped.append("&quot;");
        case '\'' -> escaped.append("&#39;");
        default -> escaped.append(c);
      }
    }
    return escaped.toString();
  }
}
