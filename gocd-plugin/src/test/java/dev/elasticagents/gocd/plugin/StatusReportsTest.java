package dev.elasticagents.gocd.plugin;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.elasticagents.gocd.plugin.GoCd.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.thoughtworks.go.plugin.api.response.GoPluginApiResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The status reports: the service's views, or an escaped error paragraph in their place. */
class StatusReportsTest {

  @RegisterExtension static WireMockExtension service = GoCd.serviceStub();

  @RegisterExtension static WireMockExtension otherService = GoCd.serviceStub();

  private final MockGoServer server = new MockGoServer();
  private final ElasticAgentPlugin plugin = server.plugin();

  @Test
  void clusterStatusReportIsPostedVerbatimAndAnswersTheServicesView() {
    service.stubFor(
        post(urlEqualTo("/gocd/v5/cluster-status-report"))
            .willReturn(okJson("{\"view\":\"<h2>k8s-eu</h2><p>3 agents</p>\"}")));
    String body = GoCd.clusterStatusReport(service.baseUrl());

    GoPluginApiResponse response = send(plugin, "cluster-status-report", body);

    assertThat(response.responseCode()).isEqualTo(200);
    assertThat(response.responseBody()).isEqualTo("{\"view\":\"<h2>k8s-eu</h2><p>3 agents</p>\"}");
    service.verify(
        postRequestedFor(urlEqualTo("/gocd/v5/cluster-status-report"))
            .withHeader("Authorization", equalTo("Bearer " + GoCd.TOKEN))
            .withRequestBody(equalTo(body)));
  }

  @Test
  void agentStatusReportIsPostedVerbatimAndAnswersTheServicesView() {
    service.stubFor(
        post(urlEqualTo("/gocd/v5/agent-status-report"))
            .willReturn(okJson("{\"view\":\"<p>GoCD-a1 is building</p>\"}")));
    String body = GoCd.agentStatusReport(service.baseUrl());

    GoPluginApiResponse response = send(plugin, "agent-status-report", body);

    assertThat(response.responseCode()).isEqualTo(200);
    assertThat(response.responseBody()).isEqualTo("{\"view\":\"<p>GoCD-a1 is building</p>\"}");
    service.verify(
        postRequestedFor(urlEqualTo("/gocd/v5/agent-status-report"))
            .withRequestBody(equalTo(body)));
  }

  @Test
  void aFailedReportIsAnEscapedErrorParagraph() {
    service.stubFor(
        post(urlEqualTo("/gocd/v5/agent-status-report"))
            .willReturn(
                aResponse()
                    .withStatus(400)
                    .withHeader("Content-Type", "application/problem+json")
                    .withBody(
                        "{\"title\":\"Bad Request\",\"status\":400,\"detail\":\"no agent <GoCD-a1>"
                            + " & no job\"}")));

    GoPluginApiResponse response =
        send(plugin, "agent-status-report", GoCd.agentStatusReport(service.baseUrl()));

    assertThat(response.responseCode()).isEqualTo(200);
    assertThat(response.responseBody())
        .isEqualTo(
            "{\"view\":\"<p class=\\\"error\\\">The elastic agent service at "
                + service.baseUrl()
                + " could not report its status: it refused the request (HTTP 400): no agent"
                + " &lt;GoCD-a1&gt; &amp; no job</p>\"}");
  }

  @Test
  void anUnreachableServiceIsAnErrorParagraph() {
    String closed = GoCd.closedPortUrl();

    GoPluginApiResponse response =
        send(plugin, "cluster-status-report", GoCd.clusterStatusReport(closed));

    assertThat(response.responseCode()).isEqualTo(200);
    assertThat(response.responseBody())
        .isEqualTo(
            "{\"view\":\"<p class=\\\"error\\\">The elastic agent service at "
                + closed
                + " could not report its status: connection failed</p>\"}");
  }

  @Test
  void anAnswerWithoutViewIsAnErrorParagraph() {
    service.stubFor(
        post(urlEqualTo("/gocd/v5/cluster-status-report"))
            .willReturn(okJson("{\"html\":\"<p>x</p>\"}")));

    GoPluginApiResponse response =
        send(plugin, "cluster-status-report", GoCd.clusterStatusReport(service.baseUrl()));

    assertThat(response.responseBody())
        .contains("could not report its status: its answer has no view");
  }

  @Test
  void pluginStatusReportAsksEachServiceOnceWithItsOwnProfilesOnly() {
    service.stubFor(
        post(urlEqualTo("/gocd/v5/plugin-status-report"))
            .willReturn(okJson("{\"view\":\"<p>first</p>\"}")));
    otherService.stubFor(
        post(urlEqualTo("/gocd/v5/plugin-status-report"))
            .willReturn(okJson("{\"view\":\"<p>second</p>\"}")));
    Map<String, String> first = GoCd.clusterProfile(service.baseUrl());
    Map<String, String> firstAgain = GoCd.clusterProfile(service.baseUrl());
    firstAgain.put("id", "k8s-us");
    Map<String, String> second = GoCd.clusterProfile(otherService.baseUrl());

    GoPluginApiResponse response =
        send(plugin, "plugin-status-report", GoCd.pluginStatusReport(first, second, firstAgain));

    assertThat(response.responseCode()).isEqualTo(200);
    assertThat(response.responseBody()).isEqualTo("{\"view\":\"<p>first</p><p>second</p>\"}");
    service.verify(
        1,
        postRequestedFor(urlEqualTo("/gocd/v5/plugin-status-report"))
            .withRequestBody(equalToJson(GoCd.pluginStatusReport(first, firstAgain))));
    otherService.verify(
        1,
        postRequestedFor(urlEqualTo("/gocd/v5/plugin-status-report"))
            .withRequestBody(equalToJson(GoCd.pluginStatusReport(second))));
  }

  @Test
  void pluginStatusReportShowsAFailedServiceAsAnEscapedErrorLine() {
    service.stubFor(
        post(urlEqualTo("/gocd/v5/plugin-status-report"))
            .willReturn(okJson("{\"view\":\"<p>first</p>\"}")));
    otherService.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(502)));

    GoPluginApiResponse response =
        send(
            plugin,
            "plugin-status-report",
            GoCd.pluginStatusReport(
                GoCd.clusterProfile(service.baseUrl()),
                GoCd.clusterProfile(otherService.baseUrl())));

    assertThat(response.responseBody())
        .isEqualTo(
            "{\"view\":\"<p>first</p><p class=\\\"error\\\">The elastic agent service at "
                + otherService.baseUrl()
                + " could not report its status: HTTP 502</p>\"}");
  }

  @Test
  void pluginStatusReportWithoutClusterProfilesSaysSo() {
    GoPluginApiResponse response = send(plugin, "plugin-status-report", GoCd.pluginStatusReport());

    assertThat(response.responseCode()).isEqualTo(200);
    assertThat(response.responseBody())
        .isEqualTo("{\"view\":\"<p>No cluster profile uses this plugin yet.</p>\"}");
  }
}
