package dev.elasticagents.gocd.testing;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.ToNumberStrategy;
import com.google.gson.reflect.TypeToken;
import com.google.gson.stream.JsonReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The test data for GoCD's elastic-agent requests (extension v5): a body read from the seed files
 * in {@code seeds/} of this module's test resources, whose values are the defaults, changed one
 * part at a time. Every {@code with...} returns a new body; the seed stays as it is.
 *
 * <p>A body comes out as JSON ({@link #toJson()}), as GoCD sends it, or as a map ({@link #toMap()})
 * holding what a JSON reader makes of that JSON: objects as maps, whole numbers as {@link Integer}
 * (or {@link Long} past its range), strings. The map is also the form of the Zeebe variables a
 * lifecycle starts with, since they are the body's fields.
 *
 * <p>Paths name nested fields with dots: {@code "job_identifier.job_id"}. A test about a malformed
 * body builds the valid one and breaks the one field it is about: {@code
 * createAgent().without("job_identifier.job_id")}, {@code with("job_identifier.job_id", "x")}.
 */
public final class GoCdBody {

  /** The agent id of a {@link #jobCompletion()} or {@link #agentStatusReport()} by default. */
  public static final String ELASTIC_AGENT_ID = "GoCD-a1";

  private static final Gson GSON =
      new GsonBuilder()
          .disableHtmlEscaping()
          .serializeNulls()
          .setObjectToNumberStrategy(new WholeNumbersAsIntegers())
          .create();

  private final Map<String, Object> fields;

  private GoCdBody(Map<String, Object> fields) {
    this.fields = fields;
  }

  /** GoCD's create-agent body of extension v5: {@code seeds/create-agent-v5.json}. */
  public static GoCdBody createAgent() {
    return new GoCdBody(seed("create-agent-v5.json"));
  }

  /**
   * GoCD's create-agent body of extension v1/v2, with the agent profile as {@code properties} and
   * no job identifier: {@code seeds/create-agent-v1.json}.
   */
  public static GoCdBody createAgentV1() {
    return new GoCdBody(seed("create-agent-v1.json"));
  }

  /**
   * GoCD's job-completion body: {@link #ELASTIC_AGENT_ID} finished the job of {@link
   * #createAgent()}, with that request's profiles.
   */
  public static GoCdBody jobCompletion() {
    Map<String, Object> seed = seed("create-agent-v5.json");
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("elastic_agent_id", ELASTIC_AGENT_ID);
    body.put("job_identifier", seed.get("job_identifier"));
    body.put("elastic_agent_profile_properties", seed.get("elastic_agent_profile_properties"));
    body.put("cluster_profile_properties", seed.get("cluster_profile_properties"));
    return new GoCdBody(body);
  }

  /**
   * GoCD's should-assign-work body: may the idle, enabled agent {@link #ELASTIC_AGENT_ID} take the
   * job of {@link #createAgent()}?
   */
  public static GoCdBody shouldAssignWork() {
    Map<String, Object> seed = seed("create-agent-v5.json");
    Map<String, Object> agent = new LinkedHashMap<>();
    agent.put("agent_id", ELASTIC_AGENT_ID);
    agent.put("agent_state", "Idle");
    agent.put("build_state", "Idle");
    agent.put("config_state", "Enabled");
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("agent", agent);
    body.put("environment", seed.get("environment"));
    body.put("job_identifier", seed.get("job_identifier"));
    body.put("elastic_agent_profile_properties", seed.get("elastic_agent_profile_properties"));
    body.put("cluster_profile_properties", seed.get("cluster_profile_properties"));
    return new GoCdBody(body);
  }

  /** GoCD's agent-status-report body: the report of {@link #ELASTIC_AGENT_ID} and its job. */
  public static GoCdBody agentStatusReport() {
    Map<String, Object> seed = seed("create-agent-v5.json");
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("cluster_profile_properties", seed.get("cluster_profile_properties"));
    body.put("elastic_agent_id", ELASTIC_AGENT_ID);
    body.put("job_identifier", seed.get("job_identifier"));
    return new GoCdBody(body);
  }

  /** The seed's {@code job_identifier} with {@code job_id} set: a job on its own, as a map. */
  public static Map<String, Object> jobIdentifier(long jobId) {
    @SuppressWarnings("unchecked")
    Map<String, Object> job =
        (Map<String, Object>) createAgent().withJobId(jobId).toMap().get("job_identifier");
    return job;
  }

  public GoCdBody withAutoRegisterKey(String key) {
    return with("auto_register_key", key);
  }

  public GoCdBody withEnvironment(String environment) {
    return with("environment", environment);
  }

  /** Replaces the elastic agent profile's properties as a whole. */
  public GoCdBody withElasticAgentProfile(Map<String, ?> properties) {
    return with("elastic_agent_profile_properties", properties);
  }

  /** Replaces the cluster profile's properties as a whole. */
  public GoCdBody withClusterProfile(Map<String, ?> properties) {
    return with("cluster_profile_properties", properties);
  }

  public GoCdBody withElasticAgentId(String agentId) {
    return with("elastic_agent_id", agentId);
  }

  /** Replaces the job identifier as a whole. */
  public GoCdBody withJobIdentifier(Map<String, ?> jobIdentifier) {
    return with("job_identifier", jobIdentifier);
  }

  /** Sets {@code job_identifier.job_id}, a number in GoCD's body. */
  public GoCdBody withJobId(long jobId) {
    return with("job_identifier.job_id", number(jobId));
  }

  /**
   * Sets the pipeline of the job identifier: its name, its counter (a number) and its label, as
   * GoCD sends them.
   */
  public GoCdBody withPipeline(String name, long counter, String label) {
    return with("job_identifier.pipeline_name", name)
        .with("job_identifier.pipeline_counter", number(counter))
        .with("job_identifier.pipeline_label", label);
  }

  /** Sets the stage of the job identifier: its name and its counter (a string in GoCD's body). */
  public GoCdBody withStage(String name, String counter) {
    return with("job_identifier.stage_name", name).with("job_identifier.stage_counter", counter);
  }

  public GoCdBody withJobName(String name) {
    return with("job_identifier.job_name", name);
  }

  /**
   * Sets the field at {@code path} (dot-separated names) to {@code value}, which may be of any JSON
   * type or {@code null}; the objects on the way are created if absent.
   */
  public GoCdBody with(String path, Object value) {
    Map<String, Object> copy = copyOf(fields);
    String[] names = path.split("\\.");
    parentOf(copy, names, path).put(names[names.length - 1], copyOfValue(value));
    return new GoCdBody(copy);
  }

  /** Removes the field at {@code path} (dot-separated names), which must be there. */
  public GoCdBody without(String path) {
    Map<String, Object> copy = copyOf(fields);
    String[] names = path.split("\\.");
    Map<String, Object> parent = parentOf(copy, names, path);
    if (!parent.containsKey(names[names.length - 1])) {
      throw new IllegalArgumentException("The body has no field " + path + ": " + toJson());
    }
    parent.remove(names[names.length - 1]);
    return new GoCdBody(copy);
  }

  /** The body as a new map, which the caller may change; objects are maps, arrays lists. */
  public Map<String, Object> toMap() {
    return copyOf(fields);
  }

  /** The body as JSON, as GoCD sends it. */
  public String toJson() {
    return GSON.toJson(fields);
  }

  /** {@link #toJson()}, so that a body reads well in a failed assertion. */
  @Override
  public String toString() {
    return toJson();
  }

  /** The seed bodies, read once; every body starts from a copy. */
  private static final Map<String, Map<String, Object>> SEEDS = new ConcurrentHashMap<>();

  private static Map<String, Object> seed(String name) {
    return copyOf(SEEDS.computeIfAbsent(name, GoCdBody::read));
  }

  private static Map<String, Object> read(String name) {
    InputStream in = GoCdBody.class.getResourceAsStream("/seeds/" + name);
    if (in == null) {
      throw new IllegalStateException("No seed body /seeds/" + name + " on the class path");
    }
    try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      return copyOf(GSON.fromJson(reader, new TypeToken<Map<String, Object>>() {}.getType()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> parentOf(
      Map<String, Object> body, String[] names, String path) {
    Map<String, Object> parent = body;
    for (int i = 0; i < names.length - 1; i++) {
      Object child = parent.computeIfAbsent(names[i], name -> new LinkedHashMap<String, Object>());
      if (!(child instanceof Map)) {
        throw new IllegalArgumentException(
            "The body's " + names[i] + " is not an object, so it has no " + path);
      }
      parent = (Map<String, Object>) child;
    }
    return parent;
  }

  private static Map<String, Object> copyOf(Map<?, ?> map) {
    Map<String, Object> copy = new LinkedHashMap<>();
    map.forEach((name, value) -> copy.put(String.valueOf(name), copyOfValue(value)));
    return copy;
  }

  private static Object copyOfValue(Object value) {
    if (value instanceof Map<?, ?> map) {
      return copyOf(map);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>();
      list.forEach(item -> copy.add(copyOfValue(item)));
      return copy;
    }
    return value;
  }

  /** A whole number as a JSON reader gives it back: an {@link Integer} if it fits. */
  private static Number number(long value) {
    if (value == (int) value) {
      return Integer.valueOf((int) value);
    }
    return Long.valueOf(value);
  }

  /** Reads whole numbers as {@link Integer} or {@link Long}, as Jackson and Zeebe do. */
  private static final class WholeNumbersAsIntegers implements ToNumberStrategy {
    @Override
    public Number readNumber(JsonReader in) throws IOException {
      String text = in.nextString();
      try {
        return number(Long.parseLong(text));
      } catch (NumberFormatException notWhole) {
        return Double.valueOf(text);
      }
    }
  }
}
