package dev.elasticagents.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Grafana dashboard and the Prometheus alert rules under deploy/monitoring, and their queries.
 */
public final class MonitoringFiles {

  public static final Path DASHBOARD =
      Path.of("deploy/monitoring/grafana/elastic-agent-workers.json");
  public static final Path ALERTS = Path.of("deploy/monitoring/prometheus/alerts.yml");
  public static final Path PROMETHEUS = Path.of("deploy/monitoring/prometheus/prometheus.yml");
  public static final Path GRAFANA_PROVISIONING = Path.of("deploy/monitoring/grafana/provisioning");

  /** Series Prometheus makes itself when it scrapes; no service exposes them. */
  public static final Set<String> SCRAPE_SERIES = Set.of("up");

  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
  private static final Pattern LABEL_MATCHERS = Pattern.compile("\\{[^}]*}");
  private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
  private static final Pattern GROUPING =
      Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern LABEL_VALUES =
      Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)[^)]*\\)");
  private static final Pattern GRAFANA_VARIABLE = Pattern.compile("\\$\\w+");
  private static final Pattern IDENTIFIER = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");
  private static final Set<String> KEYWORDS =
      Set.of("and", "or", "unless", "bool", "offset", "inf", "nan", "group_left", "group_right");

  private MonitoringFiles() {}

  public static JsonNode dashboard() {
    return read(new ObjectMapper(), DASHBOARD);
  }

  public static JsonNode alerts() {
    return read(new YAMLMapper(), ALERTS);
  }

  public static JsonNode yaml(Path file) {
    return read(new YAMLMapper(), file);
  }

  /** Every PromQL query of the dashboard: its panels' targets and its variables' queries. */
  public static List<String> dashboardQueries() {
    List<String> queries = new ArrayList<>();
    dashboard()
        .path("panels")
        .forEach(
            panel ->
                panel.path("targets").forEach(target -> queries.add(target.path("expr").asText())));
    dashboard()
        .path("templating")
        .path("list")
        .forEach(variable -> queries.add(variable.path("query").path("query").asText()));
    return queries;
  }

  /** Every expression of the alert rules. */
  public static List<String> alertExpressions() {
    List<String> expressions = new ArrayList<>();
    alerts()
        .path("groups")
        .forEach(
            group ->
                group.path("rules").forEach(rule -> expressions.add(rule.path("expr").asText())));
    return expressions;
  }

  /** The metric names the dashboard and the alert rules read. */
  public static Set<String> referencedMetrics() {
    Set<String> names = new TreeSet<>();
    dashboardQueries().forEach(query -> names.addAll(metricNames(query)));
    alertExpressions().forEach(expression -> names.addAll(metricNames(expression)));
    return names;
  }

  /**
   * The metric names a PromQL expression (or Grafana's label_values) reads: identifiers that are
   * neither functions, aggregations, keywords, label names nor Grafana variables.
   */
  public static Set<String> metricNames(String expression) {
    String query = LABEL_VALUES.matcher(expression).replaceAll("$1");
    query = STRING.matcher(query).replaceAll(" ");
    query = LABEL_MATCHERS.matcher(query).replaceAll(" ");
    query = RANGE.matcher(query).replaceAll(" ");
    query = GROUPING.matcher(query).replaceAll(" ");
    query = GRAFANA_VARIABLE.matcher(query).replaceAll(" ");
    Set<String> names = new TreeSet<>();
    Matcher identifier = IDENTIFIER.matcher(query);
    while (identifier.find()) {
      boolean isCall = identifier.group(2) != null;
      boolean isNumberPart =
          identifier.start() > 0 && Character.isDigit(query.charAt(identifier.start() - 1));
      if (!isCall && !isNumberPart && !KEYWORDS.contains(identifier.group(1).toLowerCase())) {
        names.add(identifier.group(1));
      }
    }
    return names;
  }

  private static JsonNode read(ObjectMapper mapper, Path file) {
    try {
      return mapper.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
