package dev.elasticagents.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * The configuration properties the service binds, in the form of environment variables: those of
 * the service's {@code @ConfigurationProperties} (the configuration processor's metadata in
 * target/classes) and those of Spring Boot, Camunda and every other library on the classpath that
 * publishes metadata.
 *
 * <p>Spring's relaxed binding reads {@code ELASTIC_AGENTS_PROVIDER} as {@code
 * elastic-agents.provider} (dots become underscores, dashes are dropped or become underscores,
 * upper case), {@code ..._0} as the first element of a list, and {@code APPROVALS_GROUPS_X_0} as
 * key {@code x} of the map {@code approvals.groups}.
 */
public final class KnownProperties {

  private static final Pattern LIST_INDEX = Pattern.compile("_\\d+$");

  private final Set<String> names = new HashSet<>();
  private final Set<String> mapPrefixes = new HashSet<>();

  private KnownProperties() {}

  /** Every property whose metadata the test classpath holds. */
  public static KnownProperties onTheClasspath() {
    KnownProperties known = new KnownProperties();
    ObjectMapper json = new ObjectMapper();
    try {
      for (Resource metadata :
          new PathMatchingResourcePatternResolver()
              .getResources("classpath*:META-INF/spring-configuration-metadata.json")) {
        try (InputStream in = metadata.getInputStream()) {
          for (JsonNode property : json.readTree(in).path("properties")) {
            known.add(property.path("name").asText(), property.path("type").asText());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return known;
  }

  private void add(String property, String type) {
    String underscores = property.replace('.', '_').toUpperCase();
    Set<String> forms =
        new HashSet<>(List.of(underscores.replace("-", ""), underscores.replace('-', '_')));
    names.addAll(forms);
    if (type.startsWith("java.util.Map<")) {
      forms.forEach(form -> mapPrefixes.add(form + "_"));
    }
  }

  /** Whether the service reads this environment variable as one of its properties. */
  public boolean knows(String environmentVariable) {
    String withoutIndex = LIST_INDEX.matcher(environmentVariable).replaceFirst("");
    return names.contains(environmentVariable)
        || names.contains(withoutIndex)
        || mapPrefixes.stream()
            .anyMatch(
                prefix ->
                    environmentVariable.startsWith(prefix)
                        && environmentVariable.length() > prefix.length());
  }

  /** How many properties are known: a classpath without metadata would know none. */
  public int size() {
    return names.size();
  }
}
