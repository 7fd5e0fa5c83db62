package dev.elasticagents.gocd.plugin;

/** How the service answered one forwarded message. */
sealed interface ServiceAnswer {

  /** A 2xx answer and its body. */
  record Success(int status, String body) implements ServiceAnswer {}

  /** A 4xx answer: the service understood the request and refused it, for the reason given. */
  record Refused(int status, String detail) implements ServiceAnswer {

    /** The service does not accept the token: nothing else this plugin sends it will work. */
    boolean tokenRefused() {
      return status == 401 || status == 403;
    }
  }

  /** No usable answer: no connection, a timeout, a 5xx or a body that is not what was agreed. */
  record Unreachable(String reason) implements ServiceAnswer {}

  /**
   * Whether this answer means the service cannot be used at the moment: a server-health warning.
   */
  default boolean serviceFailed() {
    return switch (this) {
      case Success success -> false;
      case Refused refused -> refused.tokenRefused();
      case Unreachable unreachable -> true;
    };
  }

  /** This answer with {@code secret} masked wherever the service echoed it. */
  default ServiceAnswer masking(String secret) {
    if (secret == null || secret.isEmpty() || !(this instanceof Refused refused)) {
      return this;
    }
    return new Refused(refused.status(), refused.detail().replace(secret, "****"));
  }

  /** Why the call failed, for GoCD and the logs. */
  default String failure() {
    return switch (this) {
      case Success success -> "";
      case Refused refused ->
          refused.tokenRefused()
              ? "it refused the service token (HTTP %d)".formatted(refused.status())
              : "it refused the request (HTTP %d): %s"
                  .formatted(refused.status(), refused.detail());
      case Unreachable unreachable -> unreachable.reason();
    };
  }
}
