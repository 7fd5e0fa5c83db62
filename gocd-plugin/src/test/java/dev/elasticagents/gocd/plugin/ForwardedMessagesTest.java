package dev.elasticagents.gocd.plugin;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static dev.elasticagents.gocd.plugin.GoCd.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.thoughtworks.go.plugin.api.response.GoPluginApiResponse;
import dev.elasticagents.gocd.testing.GoCdBody;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The messages about single agents and jobs, forwarded to the service. */
class ForwardedMessagesTest {

  @RegisterExtension static WireMockExtension service = GoCd.serviceStub();

  private final MockGoServer server = new MockGoServer();
  private final ElasticAgentPlugin plugin = server.plugin();
  private String url;

  @BeforeEach
  void initialise() {
    url = service.baseUrl();
  }

  @Nested
  class CreateAgent {

    @Test
    void isPostedVerbatimWithTheBearerToken() {
      answer("create-agent", aResponse().withStatus(200));
      String body = GoCd.createAgent(url);

      GoPluginApiResponse response = send(plugin, "create-agent", body);

      assertThat(response.responseCode()).isEqualTo(200);
      LoggedRequest request = onlyRequest();
      assertThat(request.getUrl()).isEqualTo("/gocd/v5/create-agent");
      assertThat(request.getHeader("Authorization")).isEqualTo("Bearer " + GoCd.TOKEN);
      assertThat(request.getHeader("Content-Type")).isEqualTo("application/json");
      assertThat(request.getHeader("Accept")).isEqualTo("application/json");
      assertThat(request.getBodyAsString()).isEqualTo(body);
    }

    @Test
    void answersGoCdWithoutABodyWhateverTheServiceAnswers() {
      answer("create-agent", okJson("{\"decision\":\"launched\"}"));

      GoPluginApiResponse response = send(plugin, "create-agent", GoCd.createAgent(url));

      assertThat(response.responseCode()).isEqualTo(200);
      assertThat(response.responseBody()).isNull();
    }

    @Test
    void aTrailingSlashOfTheServiceUrlIsDropped() {
      answer("create-agent", aResponse().withStatus(200));

      send(plugin, "create-agent", GoCd.createAgent(url + "/"));

      assertThat(onlyRequest().getUrl()).isEqualTo("/gocd/v5/create-agent");
    }

    @Test
    void aRefusedTokenIsNotAnAgent() {
      answer("create-agent", problem(401, "Unauthorized", "the bearer token is not valid"));

      GoPluginApiResponse response = send(plugin, "create-agent", GoCd.createAgent(url));

      assertThat(response.responseCode()).isEqualTo(401);
      assertThat(response.responseBody())
          .isEqualTo("the service refused the cluster profile's service_token (HTTP 401)");
    }

    @Test
    void aProblemAnswerGivesGoCdItsStatusAndDetail() {
      answer(
          "create-agent",
          problem(
              400,
              "Bad Request",
              "elastic_agent_profile_properties: Memory must be a memory quantity such as 512Mi or"
                  + " 2Gi"));

      GoPluginApiResponse response = send(plugin, "create-agent", GoCd.createAgent(url));

      assertThat(response.responseCode()).isEqualTo(400);
      assertThat(response.responseBody())
          .isEqualTo(
              "elastic_agent_profile_properties: Memory must be a memory quantity such as 512Mi or"
                  + " 2Gi");
    }

    @Test
    void aDetailRepeatingTheTokenOrTheAutoRegisterKeyIsMasked() {
      answer(
          "create-agent",
          problem(400, "Bad Request", "key " + GoCd.AUTO_REGISTER_KEY + " token " + GoCd.TOKEN));

      GoPluginApiResponse response = send(plugin, "create-agent", GoCd.createAgent(url));

      assertThat(response.responseBody()).isEqualTo("key **** token ****");
    }

    @Test
    void aProblemWithoutDetailGivesItsTitle() {
      answer("create-agent", problem(413, "Payload Too Large", null));

      GoPluginApiResponse response = send(plugin, "create-agent", GoCd.createAgent(url));

      assertThat(response.responseCode()).isEqualTo(413);
      assertThat(response.responseBody()).isEqualTo("Payload Too Large");
    }

    @Test
    void aServerErrorOfTheServiceIsA500() {
      answer("create-agent", aResponse().withStatus(503));

      GoPluginApiResponse response = send(plugin, "create-agent", GoCd.createAgent(url));

      assertThat(response.responseCode()).isEqualTo(500);
      assertThat(response.responseBody()).isEqualTo("service at " + url + " unreachable: HTTP 503");
    }

    @Test
    void anUnreachableServiceIsA500() {
      String closed = GoCd.closedPortUrl();

      GoPluginApiResponse response = send(plugin, "create-agent", GoCd.createAgent(closed));

      assertThat(response.responseCode()).isEqualTo(500);
      assertThat(response.responseBody())
          .isEqualTo("service at " + closed + " unreachable: connection failed");
    }

    @Test
    void aRedirectIsNotFollowed() {
      answer(
          "create-agent", aResponse().withStatus(307).withHeader("Location", url + "/elsewhere"));

      GoPluginApiResponse response = send(plugin, "create-agent", GoCd.createAgent(url));

      assertThat(response.responseCode()).isEqualTo(500);
      assertThat(service.getAllServeEvents()).hasSize(1);
    }

    @Test
    void aClusterProfileWithoutServiceUrlIsRefusedWithoutCallingAnyService() {
      String body =
          GoCd.createAgentBody(url).without("cluster_profile_properties.service_url").toJson();

      GoPluginApiResponse response = send(plugin, "create-agent", body);

      assertThat(response.responseCode()).isEqualTo(400);
      assertThat(response.responseBody())
          .isEqualTo(
              "create-agent not forwarded: the cluster profile names no usable service: Service URL"
                  + " must be set");
      assertThat(service.getAllServeEvents()).isEmpty();
    }

    @Test
    void aBodyThatIsNotJsonIsRefused() {
      GoPluginApiResponse response = send(plugin, "create-agent", "auto_register_key=x");

      assertThat(response.responseCode()).isEqualTo(400);
      assertThat(response.responseBody())
          .isEqualTo("create-agent not forwarded: the body is not JSON");
    }

    @Test
    void aBodyLargerThanTheLimitIsRefusedWithoutCallingTheService() {
      answer("create-agent", aResponse().withStatus(200));
      String body = GoCd.createAgentBody(url).withEnvironment("p".repeat(262_144)).toJson();

      GoPluginApiResponse response = send(plugin, "create-agent", body);

      assertThat(response.responseCode()).isEqualTo(400);
      assertThat(response.responseBody())
          .isEqualTo("create-agent refused: the body is larger than 262144 bytes");
      assertThat(service.getAllServeEvents()).isEmpty();
    }

    @Test
    void aBodyOfExactlyTheLimitInMultiByteCharactersIsForwarded() {
      answer("create-agent", aResponse().withStatus(200));
      GoCdBody body = GoCd.createAgentBody(url).withEnvironment("");
      int room = 262_144 - body.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      String padded = body.withEnvironment("é".repeat(room / 2)).toJson();

      GoPluginApiResponse response = send(plugin, "create-agent", padded);

      assertThat(padded.getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
          .isLessThanOrEqualTo(262_144);
      assertThat(response.responseCode()).isEqualTo(200);
    }
  }

  @Nested
  class ShouldAssignWork {

    @Test
    void isPostedVerbatimAndAnswersTheBareLiteralTrue() {
      answer("should-assign-work", okJson("true"));
      String body = GoCd.shouldAssignWork(url);

      GoPluginApiResponse response = send(plugin, "should-assign-work", body);

      assertThat(response.responseCode()).isEqualTo(200);
      assertThat(response.responseBody()).isEqualTo("true");
      assertThat(onlyRequest().getUrl()).isEqualTo("/gocd/v5/should-assign-work");
      assertThat(onlyRequest().getBodyAsString()).isEqualTo(body);
    }

    @Test
    void answersTheBareLiteralFalse() {
      answer("should-assign-work", okJson("false"));

      GoPluginApiResponse response = send(plugin, "should-assign-work", GoCd.shouldAssignWork(url));

      assertThat(response.responseCode()).isEqualTo(200);
      assertThat(response.responseBody()).isEqualTo("false");
    }

    @Test
    void anAnswerOtherThanABooleanIsFalse() {
      answer("should-assign-work", okJson("{\"assign\":true}"));

      assertThat(send(plugin, "should-assign-work", GoCd.shouldAssignWork(url)).responseBody())
          .isEqualTo("false");
    }

    @Test
    void aRefusalIsFalse() {
      answer("should-assign-work", problem(401, "Unauthorized", "bad token"));

      GoPluginApiResponse response = send(plugin, "should-assign-work", GoCd.shouldAssignWork(url));

      assertThat(response.responseCode()).isEqualTo(200);
      assertThat(response.responseBody()).isEqualTo("false");
    }

    @Test
    void anUnreachableServiceIsFalse() {
      GoPluginApiResponse response =
          send(plugin, "should-assign-work", GoCd.shouldAssignWork(GoCd.closedPortUrl()));

      assertThat(response.responseCode()).isEqualTo(200);
      assertThat(response.responseBody()).isEqualTo("false");
    }

    @Test
    void aBodyThatIsNotJsonIsFalse() {
      GoPluginApiResponse response = send(plugin, "should-assign-work", "{");

      assertThat(response.responseCode()).isEqualTo(200);
      assertThat(response.responseBody()).isEqualTo("false");
    }

    @Test
    void aBodyLargerThanTheLimitIsFalseWithoutCallingTheService() {
      answer("should-assign-work", okJson("true"));
      String body = GoCd.shouldAssignWorkBody(url).withEnvironment("p".repeat(262_144)).toJson();

      GoPluginApiResponse response = send(plugin, "should-assign-work", body);

      assertThat(response.responseCode()).isEqualTo(200);
      assertThat(response.responseBody()).isEqualTo("false");
      assertThat(service.getAllServeEvents()).isEmpty();
    }
  }

  @Nested
  class JobCompletion {

    @Test
    void isPostedVerbatimAndAnswers200() {
      answer("job-completion", aResponse().withStatus(200));
      String body = GoCd.jobCompletion(url);

      GoPluginApiResponse response = send(plugin, "job-completion", body);

      assertThat(response.responseCode()).isEqualTo(200);
      assertThat(onlyRequest().getUrl()).isEqualTo("/gocd/v5/job-completion");
      assertThat(onlyRequest().getHeader("Authorization")).isEqualTo("Bearer " + GoCd.TOKEN);
      assertThat(onlyRequest().getBodyAsString()).isEqualTo(body);
    }

    @Test
    void aProblemAnswerIsA500WithItsDetail() {
      answer("job-completion", problem(400, "Bad Request", "elastic_agent_id must be set"));

      GoPluginApiResponse response = send(plugin, "job-completion", GoCd.jobCompletion(url));

      assertThat(response.responseCode()).isEqualTo(500);
      assertThat(response.responseBody()).isEqualTo("elastic_agent_id must be set");
    }

    @Test
    void aServiceThatFailsTwiceGetsAThirdTryWithinGoCdsCallSinceGoCdNeverSendsItAgain() {
      service.stubFor(
          post(urlEqualTo("/gocd/v5/job-completion"))
              .inScenario("failing twice")
              .whenScenarioStateIs(STARTED)
              .willReturn(aResponse().withStatus(503))
              .willSetStateTo("failed once"));
      service.stubFor(
          post(urlEqualTo("/gocd/v5/job-completion"))
              .inScenario("failing twice")
              .whenScenarioStateIs("failed once")
              .willReturn(aResponse().withStatus(502))
              .willSetStateTo("failed twice"));
      service.stubFor(
          post(urlEqualTo("/gocd/v5/job-completion"))
              .inScenario("failing twice")
              .whenScenarioStateIs("failed twice")
              .willReturn(aResponse().withStatus(200)));
      String body = GoCd.jobCompletion(url);

      GoPluginApiResponse response = send(plugin, "job-completion", body);

      assertThat(response.responseCode()).isEqualTo(200);
      service.verify(
          3,
          postRequestedFor(urlEqualTo("/gocd/v5/job-completion")).withRequestBody(equalTo(body)));
    }

    @Test
    void aServiceThatNeverAnswersGetsThreeTriesThenGoCdA500() {
      answer("job-completion", aResponse().withStatus(503));

      GoPluginApiResponse response = send(plugin, "job-completion", GoCd.jobCompletion(url));

      assertThat(response.responseCode()).isEqualTo(500);
      service.verify(
          ForwardedMessages.JOB_COMPLETION_TRIES,
          postRequestedFor(urlEqualTo("/gocd/v5/job-completion")));
    }

    @Test
    void aServiceTooSlowToAnswerWithinTheRetryWindowIsNotTriedAgain() {
      long beyondTheWindow =
          ForwardedMessages.JOB_COMPLETION_RETRY_WINDOW.plusMillis(500).toMillis();
      answer("job-completion", aResponse().withStatus(503).withFixedDelay((int) beyondTheWindow));

      GoPluginApiResponse response = send(plugin, "job-completion", GoCd.jobCompletion(url));

      assertThat(response.responseCode()).isEqualTo(500);
      service.verify(1, postRequestedFor(urlEqualTo("/gocd/v5/job-completion")));
    }

    @Test
    void aRefusalIsNotTriedAgain() {
      answer("job-completion", problem(400, "Bad Request", "elastic_agent_id must be set"));

      send(plugin, "job-completion", GoCd.jobCompletion(url));

      service.verify(1, postRequestedFor(urlEqualTo("/gocd/v5/job-completion")));
    }

    @Test
    void anUnreachableServiceIsA500() {
      String closed = GoCd.closedPortUrl();

      GoPluginApiResponse response = send(plugin, "job-completion", GoCd.jobCompletion(closed));

      assertThat(response.responseCode()).isEqualTo(500);
      assertThat(response.responseBody())
          .isEqualTo("service at " + closed + " unreachable: connection failed");
    }
  }

  @Nested
  class ClusterProfileChanged {

    @Test
    void isPostedVerbatimToTheServiceOfTheChangedProfile() {
      answer("cluster-profile-changed", aResponse().withStatus(200));
      String body = GoCd.clusterProfileChanged(url);

      GoPluginApiResponse response = send(plugin, "cluster-profile-changed", body);

      assertThat(response.responseCode()).isEqualTo(200);
      assertThat(onlyRequest().getUrl()).isEqualTo("/gocd/v5/cluster-profile-changed");
      assertThat(onlyRequest().getBodyAsString()).isEqualTo(body);
    }

    @Test
    void answers200WhenTheServiceFails() {
      answer("cluster-profile-changed", aResponse().withStatus(500));

      assertThat(
              send(plugin, "cluster-profile-changed", GoCd.clusterProfileChanged(url))
                  .responseCode())
          .isEqualTo(200);
    }

    @Test
    void answers200WhenTheServiceIsUnreachable() {
      GoPluginApiResponse response =
          send(plugin, "cluster-profile-changed", GoCd.clusterProfileChanged(GoCd.closedPortUrl()));

      assertThat(response.responseCode()).isEqualTo(200);
    }

    @Test
    void anUpdateIsPostedToTheServiceOfTheNewProfile() {
      answer("cluster-profile-changed", aResponse().withStatus(200));
      String body =
          "{\"status\":\"updated\",\"old_cluster_profiles_properties\":"
              + GoCd.json(GoCd.clusterProfile(GoCd.closedPortUrl()))
              + ",\"cluster_profiles_properties\":"
              + GoCd.json(GoCd.clusterProfile(url))
              + "}";

      send(plugin, "cluster-profile-changed", body);

      service.verify(
          postRequestedFor(urlEqualTo("/gocd/v5/cluster-profile-changed"))
              .withRequestBody(equalToJson(body)));
    }
  }

  @Nested
  class AnyMessage {

    @Test
    void anAnswerLargerThanTheBoundIsRefusedAsIfTheServiceWereUnreachable() {
      answer(
          "cluster-status-report",
          okJson("{\"view\":\"" + "x".repeat(ServiceClient.MAX_ANSWER_BYTES) + "\"}"));

      GoPluginApiResponse response =
          send(plugin, "cluster-status-report", GoCd.clusterStatusReport(url));

      assertThat(response.responseCode()).isEqualTo(200);
      assertThat(response.responseBody())
          .contains("its answer is larger than " + ServiceClient.MAX_ANSWER_BYTES + " bytes")
          .hasSizeLessThan(2000);
    }

    @Test
    void forwardedMessagesNeedTheAccessorGoCdInitialisesFirst() {
      GoPluginApiResponse response =
          send(new ElasticAgentPlugin(), "create-agent", GoCd.createAgent(url));

      assertThat(response.responseCode()).isEqualTo(500);
      assertThat(service.getAllServeEvents()).isEmpty();
    }

    @Test
    void everyForwardedMessageCarriesTheContractsHeaders() {
      service.stubFor(post(anyUrl()).willReturn(okJson("{\"view\":\"<p>ok</p>\"}")));

      send(plugin, "create-agent", GoCd.createAgent(url));
      send(plugin, "job-completion", GoCd.jobCompletion(url));
      send(plugin, "cluster-status-report", GoCd.clusterStatusReport(url));

      service.verify(
          3,
          anyRequestedFor(anyUrl())
              .withHeader("Authorization", equalTo("Bearer " + GoCd.TOKEN))
              .withHeader("Content-Type", equalTo("application/json"))
              .withHeader("Accept", equalTo("application/json")));
    }
  }

  static ResponseDefinitionBuilder problem(int status, String title, String detail) {
    String body =
        "{\"type\":\"about:blank\",\"title\":\""
            + title
            + "\",\"status\":"
            + status
            + (detail == null ? "" : ",\"detail\":\"" + detail + "\"")
            + "}";
    return aResponse()
        .withStatus(status)
        .withHeader("Content-Type", "application/problem+json")
        .withBody(body);
  }

  private static void answer(String name, ResponseDefinitionBuilder response) {
    service.stubFor(post(urlEqualTo("/gocd/v5/" + name)).willReturn(response));
  }

  private static LoggedRequest onlyRequest() {
    List<LoggedRequest> requests = service.findAll(postRequestedFor(anyUrl()));
    assertThat(requests).hasSize(1);
    return requests.get(0);
  }
}
