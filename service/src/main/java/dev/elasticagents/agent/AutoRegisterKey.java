package dev.elasticagents.agent;

/**
 * The GoCD server's single-use agent auto-register key. It is a secret: {@link #toString()} never
 * shows it, so it cannot leak through logs or messages by accident.
 */
public record AutoRegisterKey(String value) {

  /** The key itself, for writing the agent's {@code autoregister.properties} only. */
  @Override
  public String value() {
    return value;
  }

  @Override
  public String toString() {
    return "AutoRegisterKey[redacted]";
  }
}
