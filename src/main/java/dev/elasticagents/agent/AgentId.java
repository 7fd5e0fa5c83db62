package dev.elasticagents.agent;

import java.util.UUID;
import java.util.regex.Pattern;

/** Elastic agent ids: made here, checked wherever one comes back from outside. */
public final class AgentId {

  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

  private AgentId() {}

  /** A new id in the style of GoCD's elastic agent ids. */
  public static String next() {
    return "GoCD" + UUID.randomUUID().toString().replace("-", "");
  }

  /** Whether {@code id} could name an agent: safe as a file name and in any command argument. */
  public static boolean isValid(String id) {
    return id != null && VALID.matcher(id).matches();
  }
}
