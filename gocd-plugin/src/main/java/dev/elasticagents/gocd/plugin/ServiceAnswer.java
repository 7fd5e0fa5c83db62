package dev.elasticagents.gocd.plugin;

import java.util.function.Function;

/**
 * How the service answered one forwarded message. The plugin is Java 17 bytecode, which has no
 * pattern {@code switch}: {@link #match} is the exhaustive one.
 */
sealed interface ServiceAnswer {

  /** The result of the function for this kind of answer. */
  <T> T match(
      Function<Success, T> onSuccess,
      Function<Refused, T> onRefused,
      Function<Unreachable, T> onUnreachable);

  /** A 2xx answer and its body. */
  record Success(int status, String body) implements ServiceAnswer {
    @Override
    public <T> T match(
        Function<Success, T> onSuccess,
        Function<Refused, T> onRefused,
        Function<Unreachable, T> onUnreachable) {
      return onSuccess.apply(this);
    }
  }

  /** A 4xx answer: the service understood the request and refused it, for the reason given. */
  record Refused(int status, String detail) implements ServiceAnswer {
    @Override
    public <T> T match(
        Function<Success, T> onSuccess,
        Function<Refused, T> onRefused,
        Function<Unreachable, T> onUnreachable) {
      return onRefused.apply(this);
    }

    /** The service does not accept the token: nothing else this plugin sends it will work. */
    boolean tokenRefused() {
      return status == 401 || status == 403;
    }
  }

  /** No usable answer: no connection, a timeout, a 5xx or a body that is not what was agreed. */
  record Unreachable(String reason) implements ServiceAnswer {
    @Override
    public <T> T match(
        Function<Success, T> onSuccess,
        Function<Refused, T> onRefused,
        Function<Unreachable, T> onUnreachable) {
      return onUnreachable.apply(this);
    }
  }

  /**
   * Whether this answer means the service cannot be used at the moment: a server-health warning.
   */
  default boolean serviceFailed() {
    return match(success -> false, Refused::tokenRefused, unreachable -> true);
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
    return match(
        success -> "",
        refused ->
            refused.tokenRefused()
                ? "it refused the service token (HTTP %d)".formatted(refused.status())
                : "it refused the request (HTTP %d): %s"
                    .formatted(refused.status(), refused.detail()),
        Unreachable::reason);
  }
}
