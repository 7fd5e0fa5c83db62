package dev.elasticagents.gocd.plugin;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes a service's status report fit to show inside GoCD's pages. GoCD puts the view into its own
 * page as it is, so a report could otherwise run script in an administrator's session.
 *
 * <p>A tokenizer, not a filter of bad things: it reads the HTML as text, comments and tags, and
 * writes only what it recognises. Tags of the allow-list are written again from their parsed name
 * and allowed attributes, each value quoted and escaped; an {@code href} only with an http(s) URL.
 * Any other tag is written as escaped text, comments and declarations are dropped, a closing tag
 * without its open element is dropped and elements left open are closed at the end, so a report
 * cannot close GoCD's own elements either. Text keeps its character references and has every other
 * {@code &}, {@code <} and {@code >} escaped.
 */
final class HtmlSanitiser {

  private static final Set<String> ELEMENTS =
      Set.of(
          "div", "span", "p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "caption", "thead",
          "tbody", "tfoot", "tr", "th", "td", "ul", "ol", "li", "dl", "dt", "dd", "code", "pre",
          "strong", "em", "b", "i", "small", "time", "a", "br", "hr");

  /** Elements without content or closing tag. */
  private static final Set<String> VOID_ELEMENTS = Set.of("br", "hr");

  private static final Set<String> ATTRIBUTES = Set.of("class", "title", "colspan", "rowspan");

  private static final Pattern SPAN = Pattern.compile("[1-9][0-9]{0,2}");

  /** A character reference: kept as it is in text, where it cannot start markup. */
  private static final Pattern REFERENCE =
      Pattern.compile("&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});");

  /** The references an href may use; any other named one makes the href unreadable, so dropped. */
  private static final Map<String, String> HREF_REFERENCES =
      Map.of("amp", "&", "lt", "<", "gt", ">", "quot", "\"", "apos", "'");

  private static final Pattern HTTP_URL =
      Pattern.compile("https?://[\\x21-\\x7E&&[^\"'<>\\\\`]]+", Pattern.CASE_INSENSITIVE);

  /** Deeper nesting is written as text: no report of the service comes near it. */
  private static final int MAX_DEPTH = 100;

  private final String html;
  private final StringBuilder out;
  private final Deque<String> open = new ArrayDeque<>();
  private int at;

  private HtmlSanitiser(String html) {
    this.html = html;
    this.out = new StringBuilder(html.length() + 16);
  }

  static String sanitise(String html) {
    if (html == null || html.isEmpty()) {
      return "";
    }
    HtmlSanitiser sanitiser = new HtmlSanitiser(html);
    sanitiser.run();
    return sanitiser.out.toString();
  }

  private void run() {
    while (at < html.length()) {
      char c = html.charAt(at);
      if (c == '<') {
        markup();
      } else {
        text(c);
        at++;
      }
    }
    while (!open.isEmpty()) {
      out.append("</").append(open.pop()).append('>');
    }
  }

  private void text(char c) {
    switch (c) {
      case '<' -> out.append("&lt;");
      case '>' -> out.append("&gt;");
      case '\u0000' -> out.append('\uFFFD');
      // "{{" opens an expression in template engines of web pages: never written as such.
      case '{' -> out.append(html.startsWith("{{", at) ? "&#123;" : "{");
      case '&' -> {
        Matcher reference = REFERENCE.matcher(html).region(at, html.length());
        if (reference.lookingAt()) {
          out.append(reference.group());
          at = reference.end() - 1;
        } else {
          out.append("&amp;");
        }
      }
      default -> out.append(c);
    }
  }

  /** At a '<': a comment, a declaration, a closing or an opening tag, or else just text. */
  private void markup() {
    if (html.startsWith("<!--", at)) {
      // From "<!--" on, as browsers read it: "<!-->" and "<!--->" are whole, empty comments.
      int end = html.indexOf("-->", at + 2);
      at = end < 0 ? html.length() : end + 3;
      return;
    }
    char next = at + 1 < html.length() ? html.charAt(at + 1) : 0;
    if (next == '!' || next == '?') {
      int end = html.indexOf('>', at);
      at = end < 0 ? html.length() : end + 1;
      return;
    }
    if (next == '/' && at + 2 < html.length() && isLetter(html.charAt(at + 2))) {
      closingTag();
      return;
    }
    if (isLetter(next)) {
      openingTag();
      return;
    }
    text('<');
    at++;
  }

  private void closingTag() {
    int end = html.indexOf('>', at);
    if (end < 0) {
      text('<');
      at++;
      return;
    }
    int nameEnd = nameEnd(at + 2);
    String name = html.substring(at + 2, nameEnd).toLowerCase(Locale.ROOT);
    String raw = html.substring(at, end + 1);
    at = end + 1;
    if (!ELEMENTS.contains(name)) {
      out.append(Text.escapeHtml(raw));
      return;
    }
    if (!open.contains(name)) {
      return;
    }
    String closed;
    do {
      closed = open.pop();
      out.append("</").append(closed).append('>');
    } while (!closed.equals(name));
  }

  private void openingTag() {
    int start = at;
    int nameEnd = nameEnd(at + 1);
    String name = html.substring(at + 1, nameEnd).toLowerCase(Locale.ROOT);
    Map<String, String> attributes = new LinkedHashMap<>();
    int i = nameEnd;
    while (true) {
      i = skipSpace(i);
      if (i >= html.length()) {
        // No end to the tag: it was never markup.
        text('<');
        at = start + 1;
        return;
      }
      char c = html.charAt(i);
      if (c == '>') {
        i++;
        break;
      }
      if (c == '/') {
        i++;
        continue;
      }
      int attributeEnd = i;
      while (attributeEnd < html.length() && !isAttributeNameEnd(html.charAt(attributeEnd))) {
        attributeEnd++;
      }
      if (attributeEnd == i) {
        // A stray '=' where a name should be: part of the name, as in HTML.
        attributeEnd++;
      }
      String attribute = html.substring(i, attributeEnd).toLowerCase(Locale.ROOT);
      i = skipSpace(attributeEnd);
      String value = "";
      if (i < html.length() && html.charAt(i) == '=') {
        i = skipSpace(i + 1);
        if (i >= html.length()) {
          text('<');
          at = start + 1;
          return;
        }
        char quote = html.charAt(i);
        if (quote == '"' || quote == '\'') {
          int close = html.indexOf(quote, i + 1);
          if (close < 0) {
            text('<');
            at = start + 1;
            return;
          }
          value = html.substring(i + 1, close);
          i = close + 1;
        } else {
          int valueEnd = i;
          while (valueEnd < html.length()
              && !Character.isWhitespace(html.charAt(valueEnd))
              && html.charAt(valueEnd) != '>') {
            valueEnd++;
          }
          value = html.substring(i, valueEnd);
          i = valueEnd;
        }
      }
      attributes.putIfAbsent(attribute, value);
    }
    at = i;
    if (!ELEMENTS.contains(name) || open.size() >= MAX_DEPTH) {
      out.append(Text.escapeHtml(html.substring(start, i)));
      return;
    }
    out.append('<').append(name);
    attributes.forEach(
        (attribute, value) -> {
          String kept = kept(name, attribute, value);
          if (kept != null) {
            out.append(' ').append(attribute).append("=\"").append(kept).append('"');
          }
        });
    if (name.equals("a")) {
      out.append(" rel=\"noopener noreferrer\"");
    }
    out.append('>');
    if (!VOID_ELEMENTS.contains(name)) {
      open.push(name);
    }
  }

  /** The value to write for an attribute, escaped, or null to drop the attribute. */
  private static String kept(String element, String attribute, String value) {
    if (attribute.equals("href")) {
      if (!element.equals("a")) {
        return null;
      }
      String url = hrefValue(value);
      return url != null && HTTP_URL.matcher(url).matches() ? Text.escapeHtml(url) : null;
    }
    if (!ATTRIBUTES.contains(attribute)) {
      return null;
    }
    if (attribute.equals("colspan") || attribute.equals("rowspan")) {
      return SPAN.matcher(value).matches() ? value : null;
    }
    return escapeValue(value);
  }

  /** An href as the browser reads it: references resolved, or null when one is not plain. */
  private static String hrefValue(String value) {
    StringBuilder url = new StringBuilder(value.length());
    int i = 0;
    while (i < value.length()) {
      char c = value.charAt(i);
      if (c != '&') {
        url.append(c);
        i++;
        continue;
      }
      int end = value.indexOf(';', i);
      if (end < 0) {
        return null;
      }
      String reference = value.substring(i + 1, end);
      String resolved = HREF_REFERENCES.get(reference);
      if (resolved == null && reference.matches("#[0-9]{1,7}")) {
        resolved = codePoint(Integer.parseInt(reference.substring(1)));
      } else if (resolved == null && reference.matches("#[xX][0-9a-fA-F]{1,6}")) {
        resolved = codePoint(Integer.parseInt(reference.substring(2), 16));
      }
      if (resolved == null) {
        return null;
      }
      url.append(resolved);
      i = end + 1;
    }
    return url.toString();
  }

  private static String codePoint(int codePoint) {
    return Character.isValidCodePoint(codePoint) ? Character.toString(codePoint) : null;
  }

  /** An attribute value for double quotes: its references kept, everything else escaped. */
  private static String escapeValue(String value) {
    StringBuilder escaped = new StringBuilder(value.length());
    Matcher reference = REFERENCE.matcher(value);
    int i = 0;
    while (i < value.length()) {
      char c = value.charAt(i);
      if (c == '&' && reference.region(i, value.length()).lookingAt()) {
        escaped.append(reference.group());
        i = reference.end();
        continue;
      }
      escaped.append(
          switch (c) {
            case '&' -> "&amp;";
            case '<' -> "&lt;";
            case '>' -> "&gt;";
            case '"' -> "&quot;";
            case '\'' -> "&#39;";
            case '\u0000' -> "\uFFFD";
            case '{' -> value.startsWith("{{", i) ? "&#123;" : "{";
            default -> String.valueOf(c);
          });
      i++;
    }
    return escaped.toString();
  }

  private int nameEnd(int from) {
    int i = from;
    while (i < html.length() && isNameCharacter(html.charAt(i))) {
      i++;
    }
    return i;
  }

  private int skipSpace(int from) {
    int i = from;
    while (i < html.length() && Character.isWhitespace(html.charAt(i))) {
      i++;
    }
    return i;
  }

  private static boolean isLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean isNameCharacter(char c) {
    return isLetter(c) || (c >= '0' && c <= '9');
  }

  private static boolean isAttributeNameEnd(char c) {
    return Character.isWhitespace(c) || c == '/' || c == '>' || c == '=';
  }
}
