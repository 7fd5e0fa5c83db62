package dev.elasticagents.gocd.plugin;

/**
 * A request this plugin cannot forward: a body that is not what GoCD sends, or a cluster profile
 * without a usable service URL and token. The message is safe to show: it never holds a value.
 */
final class InvalidRequest extends RuntimeException {

  InvalidRequest(String message) {
    super(message, null, false, false);
  }
}
