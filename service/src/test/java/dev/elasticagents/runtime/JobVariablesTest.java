package dev.elasticagents.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobVariablesTest {

  @Test
  void readsPresentValuesWithoutProblems() {
    JobVariables variables =
        JobVariables.of(
            Map.of("name", "up42", "counter", 7, "props", Map.of("region", "us-east-1")));

    assertThat(variables.requiredString("name")).isEqualTo("up42");
    assertThat(variables.requiredWholeNumber("counter")).isEqualTo(7);
    assertThat(variables.stringMap("props")).containsEntry("region", "us-east-1");
    variables.throwIfInvalid();
  }

  @Test
  void collectsEveryProblemIntoOneException() {
    JobVariables variables =
        JobVariables.of(Map.of("props", List.of("a"), "name", 42, "blank", "  "));

    variables.requiredString("missing");
    variables.requiredString("name");
    variables.requiredString("blank");
    variables.stringMap("props");

    assertThatThrownBy(variables::throwIfInvalid)
        .isInstanceOfSatisfying(
            InvalidJobVariablesException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "'missing' is required",
                        "'name' must be a string, but is a number",
                        "'blank' must not be blank",
                        "'props' must be an object of string values, but is an array"));
  }

  @Test
  void namesNestedVariablesByTheirPath() {
    JobVariables variables =
        JobVariables.of(Map.of("job", Map.of("id", "abc", "stage", Map.of("x", 1))));

    JobVariables job = variables.optionalObject("job").orElseThrow();
    job.requiredWholeNumber("id");
    job.requiredString("stage");

    assertThatThrownBy(variables::throwIfInvalid)
        .isInstanceOfSatisfying(
            InvalidJobVariablesException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "'job.id' must be a whole number, but is a string",
                        "'job.stage' must be a string, but is an object"));
  }

  @Test
  void neverQuotesTheValueOfAVariable() {
    JobVariables variables =
        JobVariables.of(Map.of("secret", List.of("s3cr3t-value"), "count", "s3cr3t-value"));

    variables.requiredString("secret");
    variables.requiredWholeNumber("count");

    assertThatThrownBy(variables::throwIfInvalid).hasMessageNotContaining("s3cr3t-value");
  }

  @Test
  void acceptsWholeNumbersGivenAsDigitsOrIntegralDecimals() {
    JobVariables variables = JobVariables.of(Map.of("a", "12", "b", 3.0, "c", 2.5));

    assertThat(variables.requiredWholeNumber("a")).isEqualTo(12);
    assertThat(variables.requiredWholeNumber("b")).isEqualTo(3);
    variables.requiredWholeNumber("c");

    assertThatThrownBy(variables::throwIfInvalid)
        .hasMessageContaining("'c' must be a whole number, but is a number");
  }

  @Test
  void readsScalarPropertyValuesAsStrings() {
    JobVariables variables =
        JobVariables.of(Map.of("props", Map.of("memory", 2048, "privileged", false, "cpu", 1.50)));

    assertThat(variables.stringMap("props"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("memory", "2048", "privileged", "false", "cpu", "1.5"));
  }

  @Test
  void aNumberTooLargeToWriteOutIsAProblemNamingTheEntry() {
    Map<String, Object> props = new LinkedHashMap<>();
    props.put("memory", Double.POSITIVE_INFINITY);
    props.put("cpu", new BigDecimal("1e400"));
    JobVariables variables = JobVariables.of(Map.of("props", props));

    assertThat(variables.stringMap("props")).isEmpty();
    assertThatThrownBy(variables::throwIfInvalid)
        .isInstanceOf(InvalidJobVariablesException.class)
        .hasMessageContaining("'props.memory' must be a string, but is a number out of range")
        .hasMessageContaining("'props.cpu' must be a string, but is a number out of range");
  }

  @Test
  void aKeyIsShownPrintableAndBoundedInItsProblem() {
    Map<String, Object> props = new LinkedHashMap<>();
    props.put("image\nINFO forged log line", List.of());
    props.put("k".repeat(10_000), List.of());
    JobVariables variables = JobVariables.of(Map.of("props", props));
    variables.stringMap("props");

    assertThatThrownBy(variables::throwIfInvalid)
        .isInstanceOf(InvalidJobVariablesException.class)
        .satisfies(
            problem ->
                assertThat(((InvalidJobVariablesException) problem).problems())
                    .containsExactly(
                        "'props.image?INFO forged log line' must be a string, but is an array",
                        "'props." + "k".repeat(64) + "...' must be a string, but is an array"));
  }

  @Test
  void anObjectWithTooManyEntriesIsOneProblemNotOnePerEntry() {
    Map<String, Object> props = new LinkedHashMap<>();
    for (int i = 0; i < 30_000; i++) {
      props.put("key-" + i, List.of());
    }
    JobVariables variables = JobVariables.of(Map.of("props", props));

    assertThat(variables.stringMap("props")).isEmpty();
    assertThatThrownBy(variables::throwIfInvalid)
        .isInstanceOf(InvalidJobVariablesException.class)
        .hasMessage("Invalid job variables: 'props' must have at most 256 entries, but has 30000");
  }

  @Test
  void listsTwentyProblemsAndCountsTheRest() {
    Map<String, Object> props = new LinkedHashMap<>();
    for (int i = 0; i < 100; i++) {
      props.put("key-" + i, List.of());
    }
    JobVariables variables = JobVariables.of(Map.of("props", props));
    variables.stringMap("props");

    assertThatThrownBy(variables::throwIfInvalid)
        .isInstanceOf(InvalidJobVariablesException.class)
        .satisfies(
            problem ->
                assertThat(((InvalidJobVariablesException) problem).problems())
                    .hasSize(21)
                    .endsWith("and 80 more"));
  }

  @Test
  void treatsAbsentOptionalValuesAsEmpty() {
    JobVariables variables = JobVariables.of(Map.of());

    assertThat(variables.optionalString("environment")).isEmpty();
    assertThat(variables.stringMap("properties")).isEmpty();
    assertThat(variables.optionalObject("job_identifier")).isEmpty();
    variables.throwIfInvalid();
  }
}
