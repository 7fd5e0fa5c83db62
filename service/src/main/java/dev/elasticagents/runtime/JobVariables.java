package dev.elasticagents.runtime;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads a job's variables into typed values and collects every problem it meets, so that one
 * failure message lists all of them. Messages name the variable and the JSON type found, never the
 * value: variables may carry secrets. One reader belongs to one job on one thread.
 */
public final class JobVariables {

  /**
   * Entries of one object read as a map: far more than any profile has, few enough that a problem
   * list, an incident or a log line stays small whatever a caller sends.
   */
  static final int MAX_ENTRIES = 256;

  /** Characters of a caller's key shown in a problem. */
  static final int MAX_KEY_SHOWN = 64;

  /** Digits a number read as a string may have on either side of its point. */
  static final int MAX_PLAIN_DIGITS = 40;

  /** Problems listed one by one; the rest are counted. */
  static final int MAX_PROBLEMS_LISTED = 20;

  private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

  private final Map<String, Object> values;
  private final String path;
  private final List<String> problems;

  private JobVariables(Map<String, Object> values, String path, List<String> problems) {
    this.values = values;
    this.path = path;
    this.problems = problems;
  }

  /** Starts reading the variables of one job. */
  public static JobVariables of(Map<String, Object> variables) {
    return new JobVariables(variables, "", new ArrayList<>());
  }

  /** A string that must be present and not blank. */
  public String requiredString(String name) {
    Object value = values.get(name);
    if (value == null) {
      problems.add("'%s' is required".formatted(qualified(name)));
      return "";
    }
    if (!(value instanceof String text)) {
      problems.add("'%s' must be a string, but is %s".formatted(qualified(name), jsonType(value)));
      return "";
    }
    if (text.isBlank()) {
      problems.add("'%s' must not be blank".formatted(qualified(name)));
    }
    return text;
  }

  /** A string that may be absent or null. */
  public Optional<String> optionalString(String name) {
    Object value = values.get(name);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof String text)) {
      problems.add("'%s' must be a string, but is %s".formatted(qualified(name), jsonType(value)));
      return Optional.empty();
    }
    return Optional.of(text);
  }

  /** A boolean that may be absent or null. */
  public Optional<Boolean> optionalBoolean(String name) {
    Object value = values.get(name);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof Boolean bool)) {
      problems.add(
          "'%s' must be true or false, but is %s".formatted(qualified(name), jsonType(value)));
      return Optional.empty();
    }
    return Optional.of(bool);
  }

  /**
   * An object whose values are strings, numbers or booleans, read as strings (GoCD sends profile
   * properties this way); empty when absent.
   */
  public Map<String, String> stringMap(String name) {
    Object value = values.get(name);
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof Map<?, ?> map)) {
      problems.add(
          "'%s' must be an object of string values, but is %s"
              .formatted(qualified(name), jsonType(value)));
      return Map.of();
    }
    if (map.size() > MAX_ENTRIES) {
      problems.add(
          "'%s' must have at most %d entries, but has %d"
              .formatted(qualified(name), MAX_ENTRIES, map.size()));
      return Map.of();
    }
    Map<String, String> result = new LinkedHashMap<>();
    map.forEach(
        (key, entry) -> {
          String entryName = qualified(name) + "." + shown(String.valueOf(key));
          Optional<String> text = scalarText(entry);
          if (text.isPresent()) {
            result.put(String.valueOf(key), text.get());
          } else if (entry instanceof Number) {
            problems.add(
                "'%s' must be a string, but is a number out of range".formatted(entryName));
          } else {
            problems.add("'%s' must be a string, but is %s".formatted(entryName, jsonType(entry)));
          }
        });
    return Map.copyOf(result);
  }

  /** A nested object; empty when absent. */
  public Optional<JobVariables> optionalObject(String name) {
    Object value = values.get(name);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof Map<?, ?> map)) {
      problems.add("'%s' must be an object, but is %s".formatted(qualified(name), jsonType(value)));
      return Optional.empty();
    }
    Map<String, Object> nested = new LinkedHashMap<>();
    map.forEach((key, entry) -> nested.put(String.valueOf(key), entry));
    return Optional.of(new JobVariables(nested, qualified(name), problems));
  }

  /** An array of objects; empty when absent. */
  public List<JobVariables> objects(String name) {
    Object value = values.get(name);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> list)) {
      problems.add(
          "'%s' must be an array of objects, but is %s"
              .formatted(qualified(name), jsonType(value)));
      return List.of();
    }
    List<JobVariables> result = new ArrayList<>();
    for (int index = 0; index < list.size(); index++) {
      String element = "%s[%d]".formatted(qualified(name), index);
      if (list.get(index) instanceof Map<?, ?> map) {
        Map<String, Object> nested = new LinkedHashMap<>();
        map.forEach((key, entry) -> nested.put(String.valueOf(key), entry));
        result.add(new JobVariables(nested, element, problems));
      } else {
        problems.add(
            "'%s' must be an object, but is %s".formatted(element, jsonType(list.get(index))));
      }
    }
    return List.copyOf(result);
  }

  /** A whole number, given as a JSON number or as a string of digits (GoCD sends both). */
  public long requiredWholeNumber(String name) {
    Object value = values.get(name);
    if (value == null) {
      problems.add("'%s' is required".formatted(qualified(name)));
      return 0;
    }
    try {
      return switch (value) {
        case Integer number -> number;
        case Long number -> number;
        case BigInteger number -> number.longValueExact();
        case Number number -> new BigDecimal(number.toString()).longValueExact();
        case String text -> Long.parseLong(text.strip());
        default -> throw new NumberFormatException();
      };
    } catch (NumberFormatException | ArithmeticException e) {
      problems.add(
          "'%s' must be a whole number, but is %s".formatted(qualified(name), jsonType(value)));
      return 0;
    }
  }

  /** A whole number that may be absent or null, given as a JSON number or a string of digits. */
  public Optional<Long> optionalWholeNumber(String name) {
    return values.get(name) == null ? Optional.empty() : Optional.of(requiredWholeNumber(name));
  }

  /** Records a problem that involves several variables at once. */
  public void reject(String problem) {
    problems.add(problem);
  }

  /**
   * Throws when any read so far met a problem.
   *
   * @throws InvalidJobVariablesException listing every problem
   */
  public void throwIfInvalid() {
    if (problems.size() > MAX_PROBLEMS_LISTED) {
      List<String> listed = new ArrayList<>(problems.subList(0, MAX_PROBLEMS_LISTED));
      listed.add("and %d more".formatted(problems.size() - MAX_PROBLEMS_LISTED));
      throw new InvalidJobVariablesException(listed);
    }
    if (!problems.isEmpty()) {
      throw new InvalidJobVariablesException(problems);
    }
  }

  /**
   * A key that came from a caller, as a problem may show it: printable, so that it cannot forge a
   * log line, and bounded.
   */
  private static String shown(String key) {
    String printable = CONTROL.matcher(key).replaceAll("?");
    return printable.length() <= MAX_KEY_SHOWN
        ? printable
        : printable.substring(0, MAX_KEY_SHOWN) + "...";
  }

  private String qualified(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  /**
   * A string, number or boolean as text; empty for anything else, and for a number too large to
   * write out plainly ({@code 1e400} reads as infinity, or as a decimal of 400 digits).
   */
  private static Optional<String> scalarText(Object scalar) {
    if (scalar instanceof String text) {
      return Optional.of(text);
    }
    if (scalar instanceof Boolean bool) {
      return Optional.of(bool.toString());
    }
    if (scalar instanceof Double || scalar instanceof Float) {
      double value = ((Number) scalar).doubleValue();
      return Double.isFinite(value) ? plain(new BigDecimal(scalar.toString())) : Optional.empty();
    }
    if (scalar instanceof BigDecimal decimal) {
      return plain(decimal);
    }
    if (scalar instanceof Number number) {
      return Optional.of(number.toString());
    }
    return Optional.empty();
  }

  private static Optional<String> plain(BigDecimal number) {
    BigDecimal stripped = number.stripTrailingZeros();
    int digitsBeforePoint = stripped.precision() - stripped.scale();
    return Math.abs(digitsBeforePoint) > MAX_PLAIN_DIGITS || stripped.scale() > MAX_PLAIN_DIGITS
        ? Optional.empty()
        : Optional.of(stripped.toPlainString());
  }

  private static String jsonType(Object value) {
    return switch (value) {
      case null -> "null";
      case String text -> text.isBlank() ? "a blank string" : "a string";
      case Number number -> "a number";
      case Boolean bool -> "a boolean";
      case Map<?, ?> map -> "an object";
      case List<?> list -> "an array";
      default -> "a " + value.getClass().getSimpleName();
    };
  }
}
