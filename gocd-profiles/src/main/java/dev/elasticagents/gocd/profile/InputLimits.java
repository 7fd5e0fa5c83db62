package dev.elasticagents.gocd.profile;

import java.util.regex.Pattern;

/**
 * Bounds on what GoCD may send: the plugin and the service refuse anything larger before they parse
 * it, so a broken or hostile caller cannot make them hold arbitrary amounts of data.
 */
public final class InputLimits {

  /** Characters of one property value. */
  public static final int MAX_VALUE_LENGTH = 4096;

  /** Characters of a property that holds a document, such as a pod template. */
  public static final int MAX_DOCUMENT_LENGTH = 32 * 1024;

  /** Properties in one profile. */
  public static final int MAX_PROPERTIES = 64;

  /** Bytes of one request body. */
  public static final int MAX_BODY_BYTES = 256 * 1024;

  private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

  private InputLimits() {}

  /**
   * Whether {@code s} holds any ASCII control character, line breaks included: values end up in
   * logs, HTML and agent configuration files, where such characters forge lines or hide content.
   */
  public static boolean hasControlCharacters(String s) {
    return s != null && CONTROL.matcher(s).find();
  }
}
