package dev.elasticagents.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.elasticagents.agent.JobIdentifier;
import dev.elasticagents.agent.registry.AgentRegistry;
import dev.elasticagents.gocd.testing.GoCdBody;
import dev.elasticagents.testing.GoCdServer;
import io.camunda.client.CamundaClient;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.core.task.SimpleAsyncTaskExecutor;

/**
 * Plays a GoCD server against the local service: sends create-agent requests, completes jobs and
 * pings, so the log shows agents created, declined, reused, kept, terminated and cleaned up, and a
 * re-sent request absorbed by the engine while its job's lifecycle runs.
 */
@TestConfiguration(proxyBeanMethods = false)
class SampleAgentRequests {

  private static final Logger log = LoggerFactory.getLogger(SampleAgentRequests.class);

  @Bean
  @Order(Ordered.LOWEST_PRECEDENCE)
  ApplicationRunner playGoCdServer(
      CamundaClient client, AgentRegistry registry, ObjectMapper json, Environment environment) {
    return args -> {
      SampleGoCdServer server =
          new SampleGoCdServer(
              "http://127.0.0.1:" + environment.getRequiredProperty("local.server.port"),
              environment.getRequiredProperty("gocd-endpoint.token"),
              json);
      SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor("gocd-server-");
      executor.setDaemon(true);
      executor.execute(() -> new Script(new GoCdServer(client), server, registry, json).play());
    };
  }

  /**
   * v5 requests go the way a GoCD server sends them: through the plugin to the service's GoCD
   * endpoint. The v1 seed and the malformed request are published to Zeebe directly, as only
   * something other than the plugin could.
   */
  private record Script(
      GoCdServer direct, SampleGoCdServer gocd, AgentRegistry registry, ObjectMapper json) {

    void play() {
      try {
        step(
            "a v1 request (the seed body): an agent is created; it never registers, so cleanup"
                + " removes it");
        direct.createAgent(GoCdBody.createAgentV1().toMap());

        Map<String, Object> job100 =
            v5Request(100, "local", Map.of("max_running_agents", "1"), Map.of());
        step("job 100 of cluster profile 'local' (at most 1 running agent): an agent is created");
        start(job100);
        String agent = awaitAgent(job100);

        step("GoCD sends create-agent again for job 100: absorbed, since job 100's lifecycle runs");
        start(job100);

        Map<String, Object> job101 =
            v5Request(101, "local", Map.of("max_running_agents", "1"), Map.of());
        step(
            "job 101 of the same profile: declined while job 100 runs; the model retries every 5"
                + " s");
        start(job101);
        pause(Duration.ofSeconds(7));

        step("job 100 completes: its agent is kept, and job 101 reuses it on its next try");
        ping(List.of(agent), job100);
        jobCompleted(agent, job100);
        awaitAgent(job101);
        pause(Duration.ofSeconds(6));
        jobCompleted(agent, job101);

        Map<String, Object> job102 =
            v5Request(102, "one-shot", Map.of(), Map.of("reuse_agents", "false"));
        step("job 102 of a profile that does not reuse agents: terminated when its job completes");
        start(job102);
        String oneShot = awaitAgent(job102);
        ping(List.of(agent, oneShot), job100);
        jobCompleted(oneShot, job102);

        step(
            "a malformed request through the plugin: the endpoint refuses it with 400, naming the"
                + " field");
        Map<String, Object> malformed =
            v5Body(103, "local", Map.of(), Map.of()).with("job_identifier.job_id", -1).toMap();
        start(malformed);

        step(
            "a malformed request published to Zeebe directly: the job fails into an incident that"
                + " names the bad variables");
        direct.createAgent(
            GoCdBody.createAgentV1()
                .without("auto_register_key")
                .with("properties", "not-an-object")
                .toMap());

        step(
            "GoCD pings every 10 s: idle and never-registered agents are cleaned up within a"
                + " minute");
        for (int ping = 0; ping < 6; ping++) {
          pause(Duration.ofSeconds(10));
          ping(List.of(agent), job100);
        }
        step(
            "done: the service keeps running (cleanup every minute); press Ctrl-C to stop it and"
                + " the engine");
      } catch (RuntimeException e) {
        log.warn("The sample GoCD server stopped: {}", e.toString());
      }
    }

    private void step(String description) {
      log.info("GoCD sample: {}", description);
    }

    private void start(Map<String, Object> variables) {
      gocd.createAgent(variables);
    }

    private String awaitAgent(Map<String, Object> request) {
      JobIdentifier job = GoCdServer.jobOf(request);
      Instant deadline = Instant.now().plusSeconds(60);
      while (Instant.now().isBefore(deadline)) {
        Optional<String> agent = registry.agentOf(job);
        if (agent.isPresent()) {
          return agent.get();
        }
        pause(Duration.ofMillis(200));
      }
      throw new IllegalStateException("No agent for " + job.locator() + " within a minute");
    }

    private void jobCompleted(String agent, Map<String, Object> request) {
      gocd.jobCompleted(agent, request);
    }

    private void ping(List<String> knownAgents, Map<String, Object> anyRequest) {
      gocd.serverPing(knownAgents, anyRequest);
    }

    private static Map<String, Object> v5Request(
        int jobId,
        String clusterProfile,
        Map<String, String> cluster,
        Map<String, String> profile) {
      return v5Body(jobId, clusterProfile, cluster, profile).toMap();
    }

    private static GoCdBody v5Body(
        int jobId,
        String clusterProfile,
        Map<String, String> cluster,
        Map<String, String> profile) {
      Map<String, String> clusterProperties = new HashMap<>(cluster);
      clusterProperties.put("id", clusterProfile);
      Map<String, String> profileProperties =
          new HashMap<>(Map.of("image", "gocd/gocd-agent-debian-12:v25.1.0"));
      profileProperties.putAll(profile);
      return GoCdServer.createAgentBody(jobId, profileProperties, clusterProperties);
    }

    private static void pause(Duration duration) {
      try {
        Thread.sleep(duration);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }
}
