package dev.elasticagents.gocd.plugin;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static dev.elasticagents.gocd.plugin.GoCd.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Capacity declines and unreachable services as GoCD server-health messages. */
class ServerHealthTest {

  private static final String HEALTH = GoServer.ADD_HEALTH_MESSAGES;
  private static final String AT_MAXIMUM =
      "{\"type\":\"warning\",\"message\":\"Cluster profile k8s-eu is at its maximum of 5 running"
          + " agents\"}";
  private static final String STARVING =
      "{\"type\":\"warning\",\"message\":\"Job up42/42/build/1/compile waits for an agent since 10"
          + " minutes\"}";

  @RegisterExtension static WireMockExtension service = GoCd.serviceStub();

  @RegisterExtension static WireMockExtension otherService = GoCd.serviceStub();

  private final MockGoServer server = new MockGoServer();
  private final ElasticAgentPlugin plugin = server.plugin();

  @Test
  void theMessagesOfAPingAnswerAreSubmitted() {
    pingAnswers(service, "[" + AT_MAXIMUM + "]");

    ping(service.baseUrl());

    assertThat(server.bodiesOf(HEALTH)).containsExactly("[" + AT_MAXIMUM + "]");
  }

  @Test
  void theSameMessagesAgainAreNotSubmittedAgain() {
    pingAnswers(service, "[" + AT_MAXIMUM + "]");

    ping(service.baseUrl());
    ping(service.baseUrl());

    assertThat(server.bodiesOf(HEALTH)).hasSize(1);
  }

  @Test
  void changedMessagesReplaceThePreviousOnesAsAWholeSet() {
    pingAnswers(service, "[" + AT_MAXIMUM + "]");
    ping(service.baseUrl());
    pingAnswers(service, "[" + AT_MAXIMUM + "," + STARVING + "]");

    ping(service.baseUrl());

    assertThat(server.bodiesOf(HEALTH))
        .containsExactly("[" + AT_MAXIMUM + "]", "[" + AT_MAXIMUM + "," + STARVING + "]");
  }

  @Test
  void noMessagesAnyMoreClearsThem() {
    pingAnswers(service, "[" + AT_MAXIMUM + "]");
    ping(service.baseUrl());
    pingAnswers(service, "[]");

    ping(service.baseUrl());

    assertThat(server.bodiesOf(HEALTH)).containsExactly("[" + AT_MAXIMUM + "]", "[]");
  }

  @Test
  void noMessagesAtAllAreNeverSubmitted() {
    pingAnswers(service, "[]");

    ping(service.baseUrl());

    assertThat(server.bodiesOf(HEALTH)).isEmpty();
  }

  @Test
  void anErrorKeepsItsTypeAndAnUnknownTypeIsAWarning() {
    pingAnswers(
        service,
        "[{\"type\":\"error\",\"message\":\"broker"
            + " gone\"},{\"type\":\"panic\",\"message\":\"odd\"}]");

    ping(service.baseUrl());

    assertThat(server.bodiesOf(HEALTH))
        .containsExactly(
            "[{\"type\":\"error\",\"message\":\"broker"
                + " gone\"},{\"type\":\"warning\",\"message\":\"odd\"}]");
  }

  @Test
  void anUnreachableServiceBecomesAWarning() {
    String closed = GoCd.closedPortUrl();

    send(plugin, "create-agent", GoCd.createAgent(closed));

    assertThat(server.bodiesOf(HEALTH))
        .containsExactly(
            "[{\"type\":\"warning\",\"message\":\"Elastic agent service at "
                + closed
                + " cannot be reached: connection failed\"}]");
  }

  @Test
  void theNextSuccessfulCallClearsTheWarning() {
    service.stubFor(
        post(urlEqualTo("/gocd/v5/create-agent"))
            .inScenario("outage")
            .whenScenarioStateIs(STARTED)
            .willReturn(aResponse().withStatus(503))
            .willSetStateTo("recovered"));
    service.stubFor(
        post(urlEqualTo("/gocd/v5/create-agent"))
            .inScenario("outage")
            .whenScenarioStateIs("recovered")
            .willReturn(aResponse().withStatus(200)));

    send(plugin, "create-agent", GoCd.createAgent(service.baseUrl()));
    send(plugin, "create-agent", GoCd.createAgent(service.baseUrl()));

    assertThat(server.bodiesOf(HEALTH))
        .containsExactly(
            "[{\"type\":\"warning\",\"message\":\"Elastic agent service at "
                + service.baseUrl()
                + " cannot be reached: HTTP 503\"}]",
            "[]");
  }

  @Test
  void aRefusedTokenBecomesAWarning() {
    service.stubFor(
        post(urlEqualTo("/gocd/v5/should-assign-work")).willReturn(aResponse().withStatus(401)));

    send(plugin, "should-assign-work", GoCd.shouldAssignWork(service.baseUrl()));

    assertThat(server.bodiesOf(HEALTH))
        .containsExactly(
            "[{\"type\":\"warning\",\"message\":\"Elastic agent service at "
                + service.baseUrl()
                + " cannot be reached: it refused the service token (HTTP 401)\"}]");
  }

  @Test
  void aRefusedRequestIsNoHealthProblem() {
    service.stubFor(
        post(urlEqualTo("/gocd/v5/create-agent"))
            .willReturn(ForwardedMessagesTest.problem(400, "Bad Request", "bad profile")));

    send(plugin, "create-agent", GoCd.createAgent(service.baseUrl()));

    assertThat(server.bodiesOf(HEALTH)).isEmpty();
  }

  @Test
  void aRefusedPingIsAWarning() {
    service.stubFor(
        post(urlEqualTo("/gocd/v5/server-ping"))
            .willReturn(
                ForwardedMessagesTest.problem(413, "Payload Too Large", "at most 262144 bytes")));

    ping(service.baseUrl());

    assertThat(server.bodiesOf(HEALTH))
        .containsExactly(
            "[{\"type\":\"warning\",\"message\":\"Elastic agent service at "
                + service.baseUrl()
                + " cannot be reached: it refused the request (HTTP 413): at most 262144"
                + " bytes\"}]");
  }

  @Test
  void pingMessagesAndUnreachableWarningsAreSubmittedAsOneSet() {
    pingAnswers(service, "[" + AT_MAXIMUM + "]");
    String closed = GoCd.closedPortUrl();

    send(
        plugin,
        "server-ping",
        GoCd.serverPing(GoCd.clusterProfile(service.baseUrl()), GoCd.clusterProfile(closed)));

    assertThat(server.bodiesOf(HEALTH))
        .containsExactly(
            "["
                + AT_MAXIMUM
                + ",{\"type\":\"warning\",\"message\":\"Elastic agent service at "
                + closed
                + " cannot be reached: connection failed\"}]");
  }

  @Test
  void aServiceNoClusterProfileNamesAnyMoreIsForgotten() {
    pingAnswers(otherService, "[]");
    String closed = GoCd.closedPortUrl();
    ping(closed);

    ping(otherService.baseUrl());

    assertThat(server.bodiesOf(HEALTH)).hasSize(2).last().isEqualTo("[]");
  }

  @Test
  void theWarningsOfAServiceStayUntilItAnswersAgain() {
    pingAnswers(service, "[" + AT_MAXIMUM + "]");
    ping(service.baseUrl());
    service.stubFor(
        post(urlEqualTo("/gocd/v5/server-ping")).willReturn(aResponse().withStatus(502)));

    ping(service.baseUrl());

    assertThat(server.bodiesOf(HEALTH))
        .containsExactly(
            "[" + AT_MAXIMUM + "]",
            "["
                + AT_MAXIMUM
                + ",{\"type\":\"warning\",\"message\":\"Elastic agent service at "
                + service.baseUrl()
                + " cannot be reached: HTTP 502\"}]");
  }

  @Test
  void aMessageNeverShowsTheToken() {
    pingAnswers(
        service, "[{\"type\":\"warning\",\"message\":\"token " + GoCd.TOKEN + " expires soon\"}]");

    ping(service.baseUrl());

    assertThat(server.bodiesOf(HEALTH))
        .containsExactly("[{\"type\":\"warning\",\"message\":\"token **** expires soon\"}]");
  }

  @Test
  void aSubmissionGoCdRejectedIsRetriedWithTheNextCall() {
    String closed = GoCd.closedPortUrl();
    server.fail(HEALTH);
    send(plugin, "create-agent", GoCd.createAgent(closed));
    server.recover(HEALTH);

    send(plugin, "create-agent", GoCd.createAgent(closed));

    assertThat(server.bodiesOf(HEALTH)).hasSize(2).containsOnly(server.bodiesOf(HEALTH).get(0));
  }

  private void ping(String url) {
    send(plugin, "server-ping", GoCd.serverPing(GoCd.clusterProfile(url)));
  }

  private static void pingAnswers(WireMockExtension target, String healthMessages) {
    target.stubFor(
        post(urlEqualTo("/gocd/v5/server-ping"))
            .willReturn(
                okJson(
                    "{\"disable_agents\":[],\"delete_agents\":[],\"health_messages\":"
                        + healthMessages
                        + "}")));
  }
}
