package dev.elasticagents.gocd.plugin;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** A service's answer to server-ping: what GoCD should do with which agents, and its health. */
record PingAnswer(
    Set<String> disableAgents, Set<String> deleteAgents, List<HealthMessage> healthMessages) {

  PingAnswer {
    disableAgents = Set.copyOf(disableAgents);
    deleteAgents = Set.copyOf(deleteAgents);
    healthMessages = List.copyOf(healthMessages);
  }

  /** Agents the service wants disabled: deleting an agent in GoCD needs it disabled first. */
  Set<String> toDisable() {
    Set<String> agents = new LinkedHashSet<>(disableAgents);
    agents.addAll(deleteAgents);
    return agents;
  }

  static PingAnswer parse(String body) {
    JsonObject answer = Json.object(body);
    List<HealthMessage> messages = new ArrayList<>();
    for (JsonObject message : Json.objects(answer.get("health_messages"), "health_messages")) {
      String text = Json.string(message, "message");
      if (text != null && !text.isBlank()) {
        messages.add(new HealthMessage(Json.string(message, "type"), text));
      }
    }
    return new PingAnswer(
        ids(answer.get("disable_agents"), "disable_agents"),
        ids(answer.get("delete_agents"), "delete_agents"),
        messages);
  }

  private static Set<String> ids(JsonElement element, String what) {
    Set<String> ids = new LinkedHashSet<>();
    if (element == null || element.isJsonNull()) {
      return ids;
    }
    if (!element.isJsonArray()) {
      throw new InvalidRequest(what + " is not a JSON array");
    }
    for (JsonElement id : element.getAsJsonArray()) {
      if (!id.isJsonPrimitive()) {
        throw new InvalidRequest(what + " holds something other than agent ids");
      }
      ids.add(id.getAsString());
    }
    return ids;
  }
}
