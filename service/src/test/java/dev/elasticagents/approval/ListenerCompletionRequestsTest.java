package dev.elasticagents.approval;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.elasticagents.gocd.testing.GoCdBody;
import dev.elasticagents.runtime.JobOutcome;
import dev.elasticagents.runtime.RestCommands;
import dev.elasticagents.runtime.WorkerProperties;
import dev.elasticagents.testing.ApprovalPolicies;
import dev.elasticagents.testing.ListenerJobs;
import io.camunda.client.CamundaClient;
import io.camunda.client.api.response.ActivatedJob;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * The listener completions the handler's decisions become on the wire: {@code POST
 * /v2/jobs/{jobKey}/completion} with the Camunda 8.8 {@code JobCompletionRequest} body, whose
 * {@code result} is a {@code JobResultUserTask}, and no {@code variables}. Each body is matched
 * whole: no field more, none less. The 8.8 client always sends {@code corrections}; left empty, it
 * corrects nothing.
 */
class ListenerCompletionRequestsTest {

  private static final String COMPLETION = "/v2/jobs/" + ListenerJobs.JOB_KEY + "/completion";
  private static final Instant NOW = Instant.parse("2026-11-23T09:15:30Z");

  @RegisterExtension
  static WireMockExtension cluster =
      WireMockExtension.newInstance()
          .options(wireMockConfig().bindAddress("127.0.0.1").dynamicPort())
          .build();

  private CamundaClient client;
  private RestCommands commands;
  private ApproveAgentRequestHandler handler;
  private int runningAgents;

  @BeforeEach
  void connect() {
    client =
        CamundaClient.newClientBuilder()
            .grpcAddress(URI.create("http://127.0.0.1:1"))
            .restAddress(URI.create(cluster.baseUrl()))
            .preferRestOverGrpc(false)
            .build();
    WorkerProperties worker =
        new Binder(
                new MapConfigurationPropertySource(Map.of("job-workers.request-timeout", "PT5S")))
            .bindOrCreate("job-workers", WorkerProperties.class);
    commands = new RestCommands(client, worker);
    handler =
        new ApproveAgentRequestHandler(
            new ApprovalPolicy(ApprovalPolicies.bind(ApprovalPolicies.PRODUCTION_AND_DEFAULTS)),
            profile -> runningAgents,
            (approval, request, limit) -> {},
            Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @AfterEach
  void close() {
    client.close();
  }

  @Test
  void anApprovalIsAUserTaskResultThatDeniesNothing() throws IOException {
    String body =
        """
        {"result": {"type": "userTask", "denied": false, "corrections": {}}}
        """;

    send(ListenerJobs.completing("alice", decision(true)), body);
  }

  @Test
  void aDenialCarriesTheReasonTheUserReads() throws IOException {
    runningAgents = 10;
    String body =
        """
        {"result": {
          "type": "userTask",
          "denied": true,
          "deniedReason": "This request cannot be approved: the cluster profile 'default' is at capacity: 10 agent(s) run there, and an approved override may bring it to 10 at most. Complete the task with approved = false to reject it.",
          "corrections": {}
        }}
        """;

    send(ListenerJobs.completing("alice", decision(true)), body);
  }

  @Test
  void anApprovedAssignmentCarriesTheCorrectionsOfThePolicy() throws IOException {
    String body =
        """
        {"result": {
          "type": "userTask",
          "denied": false,
          "corrections": {
            "dueDate": "2026-11-23T13:15:30Z",
            "candidateGroups": ["production-approvers"],
            "priority": 80
          }
        }}
        """;

    send(ListenerJobs.assigning("alice", List.of("agent-approvers"), seed()), body);
  }

  private void send(ActivatedJob job, String expectedBody) {
    cluster.stubFor(
        post(urlEqualTo(COMPLETION))
            .withRequestBody(equalToJson(expectedBody, false, false))
            .willReturn(aResponse().withStatus(204)));

    JobOutcome outcome = handler.handle(job);

    assertThat(commands.send(job.getKey(), outcome)).isEmpty();
    cluster.verify(
        1,
        postRequestedFor(urlEqualTo(COMPLETION))
            .withRequestBody(equalToJson(expectedBody, false, false)));
  }

  private static Map<String, Object> decision(boolean approved) throws IOException {
    Map<String, Object> variables = seed();
    variables.put("approved", approved);
    return variables;
  }

  private static Map<String, Object> seed() {
    return GoCdBody.createAgentV1().withJobIdentifier(GoCdBody.jobIdentifier(4711)).toMap();
  }
}
