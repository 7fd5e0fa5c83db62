package dev.elasticagents.runtime;

import java.util.List;

/** A job's variables do not have the shape its handler needs; no retry will change that. */
public class InvalidJobVariablesException extends RuntimeException {

  private final List<String> problems;

  public InvalidJobVariablesException(List<String> problems) {
    super("Invalid job variables: " + String.join("; ", problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("an invalid input has at least one problem");
    }
    this.problems = List.copyOf(problems);
  }

  /** Each problem as a sentence naming the variable, never its value. */
  public List<String> problems() {
    return problems;
  }
}
