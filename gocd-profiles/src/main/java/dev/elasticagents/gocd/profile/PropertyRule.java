package dev.elasticagents.gocd.profile;

import java.util.Optional;

/**
 * A declared property and the rule its value must follow. The rule sees only values that are set,
 * within {@code maxLength} and free of control characters.
 */
record PropertyRule(
    ProfileProperty property, boolean allowsLineBreaks, int maxLength, Check check) {

  /** The problem with a value, worded to follow the property's name, or empty when it is fine. */
  @FunctionalInterface
  interface Check {
    Optional<String> problem(String value);
  }

  static PropertyRule of(ProfileProperty property, Check check) {
    return new PropertyRule(property, false, InputLimits.MAX_VALUE_LENGTH, check);
  }

  static PropertyRule multiline(ProfileProperty property, Check check) {
    return new PropertyRule(property, true, InputLimits.MAX_VALUE_LENGTH, check);
  }

  /** A document such as a pod template: lines, and more room than one value. */
  static PropertyRule document(ProfileProperty property, Check check) {
    return new PropertyRule(property, true, InputLimits.MAX_DOCUMENT_LENGTH, check);
  }

  String key() {
    return property.key();
  }
}
