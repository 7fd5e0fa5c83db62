package dev.elasticagents.gocd.plugin;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.thoughtworks.go.plugin.api.GoApplicationAccessor;
import com.thoughtworks.go.plugin.api.GoPluginIdentifier;
import com.thoughtworks.go.plugin.api.logging.Logger;
import com.thoughtworks.go.plugin.api.request.DefaultGoApiRequest;
import com.thoughtworks.go.plugin.api.response.GoApiResponse;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The calls this plugin makes to the GoCD server it runs in. */
final class GoServer {

  static final String LIST_AGENTS = "go.processor.elastic-agents.list-agents";
  static final String DISABLE_AGENTS = "go.processor.elastic-agents.disable-agents";
  static final String DELETE_AGENTS = "go.processor.elastic-agents.delete-agents";
  static final String ADD_HEALTH_MESSAGES = "go.processor.server-health.add-messages";

  private static final Logger LOG = Logger.getLoggerFor(GoServer.class);

  /** GoCD's agents of this plugin: the list as GoCD sent it, and each agent's config state. */
  record Agents(JsonArray json, Map<String, String> configStates) {}

  private final GoApplicationAccessor accessor;
  private final GoPluginIdentifier identifier;

  GoServer(GoApplicationAccessor accessor, GoPluginIdentifier identifier) {
    this.accessor = accessor;
    this.identifier = identifier;
  }

  /** This plugin's agents as GoCD knows them, or empty when GoCD did not answer with a list. */
  Optional<Agents> listAgents() {
    Optional<String> body = submit(LIST_AGENTS, null);
    if (body.isEmpty()) {
      return Optional.empty();
    }
    try {
      List<JsonObject> agents = Json.objects(Json.parse(body.get()), "the agent list");
      Map<String, String> configStates = new LinkedHashMap<>();
      for (JsonObject agent : agents) {
        String id = Json.string(agent, "agent_id");
        if (id != null) {
          configStates.put(id, String.valueOf(Json.string(agent, "config_state")));
        }
      }
      return Optional.of(new Agents(Json.array(agents), configStates));
    } catch (InvalidRequest malformed) {
      LOG.warn(
          "GoCD answered " + LIST_AGENTS + " with an unexpected body: " + malformed.getMessage());
      return Optional.empty();
    }
  }

  boolean disableAgents(Collection<String> agentIds) {
    return submit(DISABLE_AGENTS, agentIdsJson(agentIds)).isPresent();
  }

  boolean deleteAgents(Collection<String> agentIds) {
    return submit(DELETE_AGENTS, agentIdsJson(agentIds)).isPresent();
  }

  /** Replaces every server-health message of this plugin; an empty list clears them. */
  boolean replaceHealthMessages(List<HealthMessage> messages) {
    return submit(ADD_HEALTH_MESSAGES, Json.GSON.toJson(messages)).isPresent();
  }

  private static String agentIdsJson(Collection<String> agentIds) {
    JsonArray ids = new JsonArray();
    agentIds.forEach(
        id -> {
          JsonObject agent = new JsonObject();
          agent.addProperty("agent_id", id);
          ids.add(agent);
        });
    return Json.GSON.toJson(ids);
  }

  private Optional<String> submit(String api, String body) {
    DefaultGoApiRequest request = new DefaultGoApiRequest(api, "1.0", identifier);
    if (body != null) {
      request.setRequestBody(body);
    }
    GoApiResponse response;
    try {
      response = accessor.submit(request);
    } catch (RuntimeException e) {
      LOG.warn("GoCD failed " + api + ": " + e.getClass().getSimpleName());
      return Optional.empty();
    }
    if (response == null || response.responseCode() != 200) {
      String answer = response == null ? "nothing" : "HTTP " + response.responseCode();
      LOG.warn("GoCD answered " + api + " with " + answer);
      return Optional.empty();
    }
    return Optional.of(response.responseBody() == null ? "" : response.responseBody());
  }
}
