package dev.elasticagents.agent;

import java.util.UUID;
import java.util.regex.Pattern;

/** Elastic agent ids: made here, checked wherever one comes back from outside. */
public final class AgentId {

  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

  private AgentId() {}

  /**
   * A new id: lower case, so that it is a valid Kubernetes object name (DNS-1123 label) as well as
   * a file name, whatever the provider.
   */
  public static String next() {
    return "gocd-" + UUID.randomUUID().toString().replace("-", "");
  }

  /**
   * Whether {@code id} could name an agent: safe as a file name and in any command argument. Ids of
   * older versions (upper case) stay valid.
   */
  public static boolean isValid(String id) {
    return id != null && VALID.matcher(id).matches();
  }
}
