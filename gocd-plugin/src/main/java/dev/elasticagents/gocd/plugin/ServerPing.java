package dev.elasticagents.gocd.plugin;

import com.google.gson.JsonObject;
import com.thoughtworks.go.plugin.api.logging.Logger;
import com.thoughtworks.go.plugin.api.response.GoPluginApiResponse;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * GoCD's periodic server-ping: each service decides, from GoCD's own agent list, which agents are
 * gone or unwanted, and the plugin applies that in GoCD (disable, then delete).
 *
 * <p>Every service sees every agent of this plugin, including the other services' agents, which it
 * would report as unknown. So with several services an agent is disabled or deleted only when all
 * of them say so, and nothing at all when any of them could not be asked.
 */
final class ServerPing {

  private static final Logger LOG = Logger.getLoggerFor(ServerPing.class);
  private static final String ALL_PROFILES = "all_cluster_profile_properties";

  private final GoServer server;
  private final ServiceCalls calls;
  private final HealthMessages health;

  ServerPing(GoServer server, ServiceCalls calls, HealthMessages health) {
    this.server = server;
    this.calls = calls;
    this.health = health;
  }

  GoPluginApiResponse ping(String body) {
    List<JsonObject> profiles = Json.objects(Json.object(body).get(ALL_PROFILES), ALL_PROFILES);
    Map<ServiceTarget, List<JsonObject>> byService = new LinkedHashMap<>();
    boolean everyProfileUsable = true;
    for (JsonObject profile : profiles) {
      try {
        ServiceTarget target = ServiceTarget.of(Json.properties(profile, "a cluster profile"));
        byService.computeIfAbsent(target, t -> new ArrayList<>()).add(profile);
      } catch (InvalidRequest invalid) {
        everyProfileUsable = false;
        LOG.warn("server-ping: a cluster profile is left out: " + invalid.getMessage());
      }
    }
    if (byService.isEmpty()) {
      health.recordPing(Map.of(), Map.of());
      return Answers.ok();
    }
    // Without GoCD's list the services would take every agent for one that never registered.
    GoServer.Agents agents = server.listAgents().orElse(null);
    if (agents == null) {
      LOG.warn("server-ping: GoCD did not list its agents; no service asked");
      return Answers.ok();
    }
    Map<ServiceTarget, ServiceAnswer> answers = new LinkedHashMap<>();
    Map<ServiceTarget, PingAnswer> instructions = new LinkedHashMap<>();
    byService.forEach(
        (target, own) -> {
          ServiceAnswer answer = ask(target, own, agents);
          if (answer instanceof ServiceAnswer.Refused refused && !refused.tokenRefused()) {
            // A refused ping means no cleanup at all until someone looks: worth a warning.
            answer = new ServiceAnswer.Unreachable(answer.failure());
          }
          if (answer instanceof ServiceAnswer.Success success) {
            try {
              instructions.put(target, PingAnswer.parse(success.body()));
            } catch (InvalidRequest malformed) {
              answer =
                  new ServiceAnswer.Unreachable(
                      "its server-ping answer is malformed: " + malformed.getMessage());
              LOG.warn("server-ping: " + target + " failed: " + answer.failure());
            }
          }
          answers.put(target, answer);
        });
    Map<ServiceTarget, List<HealthMessage>> reported = new LinkedHashMap<>();
    instructions.forEach(
        (target, instruction) -> reported.put(target, instruction.healthMessages()));
    health.recordPing(answers, reported);

    if (!everyProfileUsable || instructions.size() < byService.size()) {
      LOG.warn(
          "server-ping: not every cluster profile's service answered; no agent disabled or"
              + " deleted");
      return Answers.ok();
    }
    apply(agents, instructions.values());
    return Answers.ok();
  }

  private ServiceAnswer ask(
      ServiceTarget target, List<JsonObject> profiles, GoServer.Agents agents) {
    JsonObject request = new JsonObject();
    request.add(ALL_PROFILES, Json.array(profiles));
    request.add("agents", agents.json());
    return calls.postUnrecorded(target, Message.SERVER_PING, Json.GSON.toJson(request));
  }

  private void apply(GoServer.Agents agents, Collection<PingAnswer> answers) {
    List<String> disable =
        agreed(agents, answers, PingAnswer::toDisable).stream()
            .filter(id -> !"Disabled".equalsIgnoreCase(agents.configStates().get(id)))
            .toList();
    List<String> delete = agreed(agents, answers, PingAnswer::deleteAgents);
    if (!disable.isEmpty()) {
      LOG.info("server-ping: disabling " + disable.size() + " agent(s): " + disable);
      if (!server.disableAgents(disable)) {
        LOG.warn("server-ping: GoCD did not disable the agents; none deleted this time");
        return;
      }
    }
    if (!delete.isEmpty()) {
      LOG.info("server-ping: deleting " + delete.size() + " agent(s): " + delete);
      server.deleteAgents(delete);
    }
  }

  /** GoCD's agents, in GoCD's order, that every answer lists. */
  private static List<String> agreed(
      GoServer.Agents agents,
      Collection<PingAnswer> answers,
      Function<PingAnswer, Set<String>> listed) {
    return agents.configStates().keySet().stream()
        .filter(id -> answers.stream().allMatch(answer -> listed.apply(answer).contains(id)))
        .toList();
  }
}
