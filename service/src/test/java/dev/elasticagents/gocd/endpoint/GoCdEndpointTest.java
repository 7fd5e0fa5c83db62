package dev.elasticagents.gocd.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.elasticagents.agent.AgentProperties;
import dev.elasticagents.agent.AgentProvider;
import dev.elasticagents.agent.CapacityCeilings;
import dev.elasticagents.agent.ClusterProfileIds;
import dev.elasticagents.agent.JobIdentifier;
import dev.elasticagents.agent.lifecycle.AgentLifecycle;
import dev.elasticagents.agent.lifecycle.AgentTerminator;
import dev.elasticagents.agent.lifecycle.ClusterProfiles;
import dev.elasticagents.agent.registry.AgentRegistry;
import dev.elasticagents.agent.registry.RegistryReports;
import dev.elasticagents.agent.registry.RegistryReports.AgentInstructions;
import dev.elasticagents.agent.registry.RegistryReports.UnresolvedDecline;
import dev.elasticagents.gocd.testing.GoCdBody;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mockito.ArgumentCaptor;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.autoconfigure.web.servlet.WebMvcTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

/**
 * The GoCD endpoint over HTTP: its token, its answers, and its refusals of bad input. The agent
 * domain's rules are the real ones; the registry and the cluster are mocks here (the end-to-end
 * test runs them for real).
 */
@WebMvcTest(
    controllers = GoCdEndpoint.class,
    properties = "gocd-endpoint.token=" + GoCdEndpointTest.TOKEN)
@Import({GoCdEndpointSecurity.class, GoCdEndpointTest.RealRules.class})
@ExtendWith(OutputCaptureExtension.class)
class GoCdEndpointTest {

  static final String TOKEN = "endpoint-token-for-tests-0123456789";
  private static final String KEY = "auto-register-key-4f1c2b7e";

  @Autowired MockMvc http;
  @MockitoBean GoCdMessages messages;
  @MockitoBean RegistryReports reports;
  @MockitoBean StatusReports statusReports;
  @MockitoBean AgentRegistry registry;

  @TestConfiguration
  @EnableConfigurationProperties({AgentProperties.class, GoCdEndpointProperties.class})
  static class RealRules {
    @Bean
    AgentLifecycle lifecycle(AgentRegistry registry, AgentProperties properties) {
      return new AgentLifecycle(
          registry,
          org.mockito.Mockito.mock(AgentProvider.class),
          org.mockito.Mockito.mock(AgentTerminator.class),
          properties,
          new SimpleMeterRegistry(),
          new ClusterProfiles(
              properties,
              new CapacityCeilings(50, 20, Map.of()),
              new ClusterProfileIds(List.of(), 100),
              registry));
    }
  }

  @BeforeEach
  void theRegistryTracksEveryClusterProfile() {
    when(registry.canTrackClusterProfile(anyString(), anyInt())).thenReturn(true);
  }

  @Test
  void aRequestWithoutTheTokenGets401AndStartsNothing() throws Exception {
    http.perform(
            post("/gocd/v5/create-agent")
                .contentType(MediaType.APPLICATION_JSON)
                .content(createAgent(42).toJson()))
        .andExpect(status().isUnauthorized())
        .andExpect(header().string("WWW-Authenticate", "Bearer"));

    verifyNoInteractions(messages);
  }

  @Test
  void aRequestWithAWrongTokenGets401AndStartsNothing() throws Exception {
    for (String wrong : List.of(TOKEN + "x", TOKEN.substring(1), "", "Basic " + TOKEN)) {
      http.perform(
              post("/gocd/v5/create-agent")
                  .header("Authorization", wrong.startsWith("Basic") ? wrong : "Bearer " + wrong)
                  .contentType(MediaType.APPLICATION_JSON)
                  .content(createAgent(42).toJson()))
          .andExpect(status().isUnauthorized());
    }

    verifyNoInteractions(messages);
  }

  @Test
  @SuppressWarnings("unchecked")
  void createAgentPublishesAgentRequestedForTheJobWithTheLifecyclesVariablesOnly()
      throws Exception {
    GoCdBody body = createAgent(42).with("declines", 99);

    send("create-agent", body).andExpect(status().isOk()).andExpect(content().json("{}"));

    ArgumentCaptor<Map<String, Object>> variables = ArgumentCaptor.forClass(Map.class);
    ArgumentCaptor<JobIdentifier> job = ArgumentCaptor.forClass(JobIdentifier.class);
    verify(messages).agentRequested(job.capture(), variables.capture());
    assertThat(job.getValue().jobId()).isEqualTo(42);
    assertThat(variables.getValue())
        .containsOnlyKeys(
            "auto_register_key",
            "environment",
            "elastic_agent_profile_properties",
            "cluster_profile_properties",
            "job_identifier")
        .containsEntry("auto_register_key", KEY);
  }

  @Test
  void createAgentWithoutJobIdentifierIsRefused() throws Exception {
    send("create-agent", createAgent(42).without("job_identifier"))
        .andExpect(status().isBadRequest())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.detail").value("'job_identifier' is required"));
    verifyNoInteractions(messages);
  }

  @Test
  void aNegativeJobIdIsRefusedNamingTheField() throws Exception {
    send("create-agent", createAgent(-7))
        .andExpect(status().isBadRequest())
        .andExpect(
            jsonPath("$.detail")
                .value(containsString("'job_identifier.job_id' must be a positive whole number")));
    verifyNoInteractions(messages);
  }

  @Test
  void aPipelineNameWithALineBreakOrANulIsRefusedAndNeverLogged(CapturedOutput output)
      throws Exception {
    for (String name : List.of("up42\r\nINFO forged line", "up42\u0000raw")) {
      send("create-agent", createAgent(43).with("job_identifier.pipeline_name", name))
          .andExpect(status().isBadRequest())
          .andExpect(
              jsonPath("$.detail")
                  .value(containsString("'job_identifier.pipeline_name' may hold only letters")));
    }
    verifyNoInteractions(messages);
    assertThat(output.getAll()).doesNotContain("forged line").doesNotContain("raw");
  }

  @Test
  void aBodyLargerThanTheLimitIsRefusedBeforeItIsParsed() throws Exception {
    String image = "x".repeat(2 * 1024 * 1024);
    send("create-agent", createAgent(44).with("elastic_agent_profile_properties.image", image))
        .andExpect(status().isPayloadTooLarge())
        .andExpect(jsonPath("$.detail").value("the body must be at most 262144 bytes"));
    verifyNoInteractions(messages);
  }

  @Test
  void aPropertyValueLongerThanTheLimitIsRefusedNamingTheProperty() throws Exception {
    send(
            "create-agent",
            createAgent(44).with("elastic_agent_profile_properties.image", "x".repeat(5000)))
        .andExpect(status().isBadRequest())
        .andExpect(
            jsonPath("$.detail")
                .value(
                    "'elastic_agent_profile_properties.image': Image must be at most 4096"
                        + " characters"));
    verifyNoInteractions(messages);
  }

  @Test
  void aPropertyNumberTooLargeToWriteOutIsRefusedNamingTheProperty() throws Exception {
    send(
            "create-agent",
            createAgent(45).with("elastic_agent_profile_properties.image", new BigDecimal("1e400")))
        .andExpect(status().isBadRequest())
        .andExpect(
            jsonPath("$.detail")
                .value(
                    containsString(
                        "'elastic_agent_profile_properties.image' must be a string, but is a"
                            + " number out of range")));
    verifyNoInteractions(messages);
  }

  @Test
  @SuppressWarnings("unchecked")
  void theServiceTokenNeverReachesTheLifecyclesVariables() throws Exception {
    send("create-agent", createAgent(48).with("cluster_profile_properties.service_token", TOKEN))
        .andExpect(status().isOk());

    ArgumentCaptor<Map<String, Object>> variables = ArgumentCaptor.forClass(Map.class);
    verify(messages).agentRequested(any(), variables.capture());
    assertThat((Map<String, Object>) variables.getValue().get("cluster_profile_properties"))
        .containsEntry("id", "k8s")
        .doesNotContainKey("service_token");
  }

  @Test
  void aBodyThatIsNotJsonIsRefusedWithoutRepeatingIt(CapturedOutput output) throws Exception {
    send("create-agent", "{\"auto_register_key\":\"" + KEY + "\", oops")
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.detail").value(containsString("the body must be a JSON object")))
        .andExpect(content().string(not(containsString(KEY))));
    assertThat(output.getAll()).doesNotContain(KEY);
  }

  @Test
  void createAgentNeverLogsTheAutoRegisterKey(CapturedOutput output) throws Exception {
    send("create-agent", createAgent(45)).andExpect(status().isOk());

    assertThat(output.getAll())
        .contains("GoCD asks for an agent for up42/1/up42_stage/1/up42_job")
        .doesNotContain(KEY);
  }

  @Test
  void shouldAssignWorkAnswersTheBareLiteral() throws Exception {
    when(registry.assignWork(eq("GoCDagent1"), any(), any(), any())).thenReturn(true);

    send("should-assign-work", shouldAssignWork(47).with("agent.agent_id", "GoCDagent1"))
        .andExpect(status().isOk())
        .andExpect(content().string("true"));
    send("should-assign-work", shouldAssignWork(47).with("agent.agent_id", "GoCDagent2"))
        .andExpect(status().isOk())
        .andExpect(content().string("false"));
  }

  @Test
  void jobCompletionPublishesJobCompletedForTheAgent() throws Exception {
    send("job-completion", jobCompletion(46).withElasticAgentId("GoCDagent1"))
        .andExpect(status().isOk());

    ArgumentCaptor<JobIdentifier> job = ArgumentCaptor.forClass(JobIdentifier.class);
    verify(messages).jobCompleted(eq("GoCDagent1"), job.capture(), any());
    assertThat(job.getValue().jobId()).isEqualTo(46);
  }

  @Test
  void jobCompletionForAnInvalidAgentIdIsRefused() throws Exception {
    send("job-completion", jobCompletion(46).withElasticAgentId("../etc"))
        .andExpect(status().isBadRequest())
        .andExpect(
            jsonPath("$.detail")
                .value("'elastic_agent_id' must be the id of an agent of this service"));
    verify(messages, never()).jobCompleted(anyString(), any(), any());
  }

  @Test
  void serverPingRunsCleanupAndAnswersWhatToDisableAndDeleteWithHealthWarnings() throws Exception {
    when(reports.instructionsFor(List.of("GoCDa", "GoCDb", "GoCDc")))
        .thenReturn(new AgentInstructions(List.of("GoCDa"), List.of("GoCDb")));
    when(reports.unresolvedDeclines(any()))
        .thenReturn(
            List.of(
                new UnresolvedDecline(
                    "cluster profile 'k8s' is at its maximum of 2 running agents",
                    3,
                    Instant.now())));

    send(
            "server-ping",
            "{\"all_cluster_profile_properties\":[],\"agents\":["
                + "{\"agent_id\":\"GoCDa\",\"agent_state\":\"Idle\",\"build_state\":\"Idle\",\"config_state\":\"Enabled\"},"
                + "{\"agent_id\":\"GoCDb\",\"agent_state\":\"Idle\",\"build_state\":\"Idle\",\"config_state\":\"Enabled\"},"
                + "{\"agent_id\":\"GoCDc\",\"agent_state\":\"Building\",\"build_state\":\"Building\",\"config_state\":\"Enabled\"}]}")
        .andExpect(status().isOk())
        .andExpect(
            content()
                .json(
                    """
                    {"disable_agents":["GoCDa"],"delete_agents":["GoCDb"],
                     "health_messages":[{"type":"warning","message":"Elastic agents: 3 request(s) declined in the last 5 minutes and still waiting: cluster profile 'k8s' is at its maximum of 2 running agents"}]}
                    """,
                    org.springframework.test.json.JsonCompareMode.STRICT));
    // Cleanup gets GoCD's build states: they repair job-completions that never arrived.
    verify(messages)
        .serverPing(
            org.mockito.ArgumentMatchers.argThat(
                agents ->
                    agents.contains(
                            Map.of(
                                "agent_id",
                                "GoCDc",
                                "agent_state",
                                "Building",
                                "build_state",
                                "Building",
                                "config_state",
                                "Enabled"))
                        && agents.contains(
                            Map.of(
                                "agent_id",
                                "GoCDa",
                                "agent_state",
                                "Idle",
                                "build_state",
                                "Idle",
                                "config_state",
                                "Enabled"))));
  }

  @Test
  void aServerPingMayListThousandsOfAgents() throws Exception {
    String agent =
        "{\"agent_id\":\"gocd-%032d\",\"agent_state\":\"Idle\",\"build_state\":\"Idle\",\"config_state\":\"Enabled\"}";
    String agents =
        IntStream.range(0, 5000).mapToObj(agent::formatted).collect(Collectors.joining(","));
    when(reports.instructionsFor(any())).thenReturn(new AgentInstructions(List.of(), List.of()));

    send("server-ping", "{\"all_cluster_profile_properties\":[],\"agents\":[" + agents + "]}")
        .andExpect(status().isOk());

    assertThat(agents.length()).isGreaterThan(GoCdRequestBody.MAX_BYTES);
  }

  @Test
  void statusReportsAnswerTheirViewAsGoCdExpects() throws Exception {
    when(statusReports.plugin()).thenReturn("<p>plugin</p>");
    when(statusReports.cluster(Map.of("id", "k8s"))).thenReturn("<p>cluster</p>");

    send("plugin-status-report", "{\"all_cluster_profiles_properties\":[]}")
        .andExpect(content().json("{\"view\":\"<p>plugin</p>\"}"));
    send("cluster-status-report", "{\"cluster_profile_properties\":{\"id\":\"k8s\"}}")
        .andExpect(content().json("{\"view\":\"<p>cluster</p>\"}"));
  }

  private ResultActions send(String message, String body) throws Exception {
    return http.perform(
        post("/gocd/v5/" + message)
            .header("Authorization", "Bearer " + TOKEN)
            .contentType(MediaType.APPLICATION_JSON)
            .content(body));
  }

  private ResultActions send(String message, GoCdBody body) throws Exception {
    return send(message, body.toJson());
  }

  /** GoCD's create-agent body for job {@code jobId}, with this test's key and profiles. */
  private static GoCdBody createAgent(long jobId) {
    return ofThisTest(GoCdBody.createAgent().withAutoRegisterKey(KEY), jobId);
  }

  private static GoCdBody shouldAssignWork(long jobId) {
    return ofThisTest(GoCdBody.shouldAssignWork(), jobId);
  }

  private static GoCdBody jobCompletion(long jobId) {
    return ofThisTest(GoCdBody.jobCompletion(), jobId);
  }

  private static GoCdBody ofThisTest(GoCdBody body, long jobId) {
    return body.withJobId(jobId)
        .withElasticAgentProfile(Map.of("image", "gocd-agent"))
        .withClusterProfile(Map.of("id", "k8s", "service_url", "https://workers.example"));
  }
}
