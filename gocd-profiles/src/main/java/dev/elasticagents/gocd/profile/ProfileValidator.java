package dev.elasticagents.gocd.profile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/** Applies the rules shared by every profile, then each property's own rule. */
final class ProfileValidator {

  private static final int MAX_ECHOED_KEY_LENGTH = 100;

  private final Map<String, PropertyRule> rules = new LinkedHashMap<>();

  ProfileValidator(List<PropertyRule> rules) {
    rules.forEach(rule -> this.rules.put(rule.key(), rule));
  }

  List<ProfileProperty> declared() {
    return rules.values().stream().map(PropertyRule::property).toList();
  }

  /** One error per bad key, declared keys first in their declared order, then unknown keys. */
  List<PropertyError> validate(Map<String, String> properties) {
    Map<String, String> given = properties == null ? Map.of() : properties;
    if (given.size() > InputLimits.MAX_PROPERTIES) {
      // Not worth an error per key: such a map did not come from a profile form.
      return List.of(
          new PropertyError(
              "",
              "A profile has at most %d properties, but %d were given"
                  .formatted(InputLimits.MAX_PROPERTIES, given.size())));
    }
    List<PropertyError> errors = new ArrayList<>();
    for (PropertyRule rule : rules.values()) {
      String value = given.get(rule.key());
      problem(rule, value)
          .ifPresent(
              problem ->
                  errors.add(new PropertyError(rule.key(), displayName(rule) + " " + problem)));
    }
    TreeSet<String> unknown = new TreeSet<>();
    given.keySet().stream()
        .filter(key -> key != null && !rules.containsKey(key))
        .forEach(unknown::add);
    for (String key : unknown) {
      errors.add(new PropertyError(key, "'" + echoed(key) + "' is not a property of this plugin"));
    }
    return List.copyOf(errors);
  }

  /**
   * The problems of the properties given, as the service checks a request: each declared property
   * by its rule, each other property by the limits every value has. Nothing is required and no
   * property is unknown, because requests of GoCD's v1 API carry profiles of their own.
   */
  List<PropertyError> validateGiven(Map<String, String> properties) {
    Map<String, String> given = properties == null ? Map.of() : properties;
    if (given.size() > InputLimits.MAX_PROPERTIES) {
      return validate(given);
    }
    List<PropertyError> errors = new ArrayList<>();
    new TreeMap<>(given)
        .forEach(
            (key, value) -> {
              PropertyRule rule = rules.getOrDefault(key, limitsOnly(key));
              if (value != null && !value.isEmpty()) {
                problem(rule, value)
                    .ifPresent(
                        problem ->
                            errors.add(new PropertyError(key, displayName(rule) + " " + problem)));
              }
            });
    return List.copyOf(errors);
  }

  /** The problem of one value of a declared property, worded to follow the property's name. */
  Optional<String> problem(String key, String value) {
    PropertyRule rule = rules.get(key);
    if (rule == null) {
      throw new IllegalArgumentException("not a declared property: " + key);
    }
    return problem(rule, value);
  }

  /** A property this plugin does not declare: only the limits of every value apply. */
  private static PropertyRule limitsOnly(String key) {
    return PropertyRule.of(
        new ProfileProperty(key, "'" + echoed(key) + "'", false, false, ""),
        value -> Optional.empty());
  }

  private static Optional<String> problem(PropertyRule rule, String value) {
    // GoCD sends "" for a field left empty: that is "not set", never a value to check.
    if (value == null || value.isEmpty()) {
      return rule.property().required() ? Optional.of("must be set") : Optional.empty();
    }
    if (value.length() > rule.maxLength()) {
      return Optional.of("must be at most %d characters".formatted(rule.maxLength()));
    }
    String outsideLineBreaks =
        rule.allowsLineBreaks() ? value.replace("\r\n", "").replace("\n", "") : value;
    if (InputLimits.hasControlCharacters(outsideLineBreaks)) {
      return Optional.of(
          rule.allowsLineBreaks()
              ? "must not contain control characters other than line breaks"
              : "must not contain control characters or line breaks");
    }
    return rule.check().problem(value);
  }

  private static String displayName(PropertyRule rule) {
    return rule.property().displayName();
  }

  /**
   * An unknown key as it may be shown: it comes from the caller, so it is bounded and printable.
   */
  private static String echoed(String key) {
    String printable = key.replaceAll("\\p{Cntrl}", "?");
    return printable.length() <= MAX_ECHOED_KEY_LENGTH
        ? printable
        : printable.substring(0, MAX_ECHOED_KEY_LENGTH) + "...";
  }
}
