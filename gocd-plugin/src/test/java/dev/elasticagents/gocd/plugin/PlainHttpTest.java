package dev.elasticagents.gocd.plugin;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static dev.elasticagents.gocd.plugin.GoCd.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.thoughtworks.go.plugin.api.response.GoPluginApiResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A plain http service URL: refused unless the cluster profile allows it, before anything is sent,
 * and a server-health warning while it is used.
 */
class PlainHttpTest {

  private static final String HEALTH = GoServer.ADD_HEALTH_MESSAGES;
  private static final String REFUSAL =
      "Service URL must be https, or set allow_insecure_http to true";

  @RegisterExtension static WireMockExtension service = GoCd.serviceStub();

  private final MockGoServer server = new MockGoServer();
  private final ElasticAgentPlugin plugin = server.plugin();

  @BeforeEach
  void answerEverything() {
    service.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(200)));
  }

  @Test
  void validationNamesTheServiceUrlOfAnHttpProfileWithoutTheFlag() {
    Map<String, String> profile = GoCd.clusterProfile("http://elastic-agents.example.com");
    profile.remove("allow_insecure_http");

    GoPluginApiResponse response = send(plugin, "validate-cluster-profile", GoCd.json(profile));

    assertThat(response.responseBody())
        .isEqualTo("[{\"key\":\"service_url\",\"message\":\"" + REFUSAL + "\"}]");
  }

  @Test
  void validationAcceptsAnHttpProfileWithTheFlag() {
    GoPluginApiResponse response =
        send(
            plugin,
            "validate-cluster-profile",
            GoCd.json(GoCd.clusterProfile("http://elastic-agents.example.com")));

    assertThat(response.responseBody()).isEqualTo("[]");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "false"})
  void noMessageIsSentToAnHttpServiceWithoutTheFlag(String allow) {
    String url = service.baseUrl();

    GoPluginApiResponse created =
        send(plugin, "create-agent", withFlag(GoCd.createAgent(url), allow));
    GoPluginApiResponse assign =
        send(plugin, "should-assign-work", withFlag(GoCd.shouldAssignWork(url), allow));
    GoPluginApiResponse completed =
        send(plugin, "job-completion", withFlag(GoCd.jobCompletion(url), allow));
    GoPluginApiResponse report =
        send(plugin, "cluster-status-report", withFlag(GoCd.clusterStatusReport(url), allow));
    send(plugin, "cluster-profile-changed", withFlag(GoCd.clusterProfileChanged(url), allow));
    Map<String, String> profile = GoCd.clusterProfile(url);
    profile.put("allow_insecure_http", allow);
    send(plugin, "server-ping", GoCd.serverPing(profile));
    send(plugin, "plugin-status-report", GoCd.pluginStatusReport(profile));

    assertThat(created.responseCode()).isEqualTo(400);
    assertThat(created.responseBody()).contains(REFUSAL);
    assertThat(assign.responseBody()).isEqualTo("false");
    assertThat(completed.responseCode()).isEqualTo(500);
    assertThat(report.responseBody()).contains(REFUSAL);
    service.verify(0, anyRequestedFor(anyUrl()));
  }

  @Test
  void aTargetOverHttpCannotExistWithoutTheFlag() {
    assertThatThrownBy(() -> new ServiceTarget("http://127.0.0.1:1", GoCd.TOKEN, false))
        .isInstanceOf(InvalidRequest.class)
        .hasMessageContaining(REFUSAL);
  }

  @Test
  void anHttpsProfileNeedsNoFlag() {
    Map<String, String> profile = GoCd.clusterProfile("https://elastic-agents.example.com");
    profile.remove("allow_insecure_http");

    ServiceTarget target = ServiceTarget.of(profile);

    assertThat(target.insecureHttpAllowed()).isFalse();
    assertThat(target.warnsOfPlainHttp()).isFalse();
    assertThat(target)
        .isEqualTo(ServiceTarget.of(GoCd.clusterProfile("https://elastic-agents.example.com")));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://127.0.0.1:8080",
        "http://127.1.2.3",
        "http://localhost:8080",
        "http://[::1]:8080"
      })
  void aLoopbackHttpServiceIsNoNetworkExposure(String url) {
    assertThat(ServiceTarget.of(GoCd.clusterProfile(url)).warnsOfPlainHttp()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://elastic-agents.example.com",
        "http://10.0.0.7:8080",
        "http://localhost.example.com",
        "http://[fd00::1]:8080"
      })
  void anHttpServiceOnTheNetworkIsWarnedOf(String url) {
    assertThat(ServiceTarget.of(GoCd.clusterProfile(url)).warnsOfPlainHttp()).isTrue();
  }

  @Test
  void anHttpServiceInUseIsAServerHealthWarningUntilNoProfileNamesIt() {
    HealthMessages health =
        new HealthMessages(new GoServer(server.accessor, plugin.pluginIdentifier()));
    ServiceTarget plain =
        ServiceTarget.of(GoCd.clusterProfile("http://elastic-agents.example.com"));
    ServiceTarget secure =
        ServiceTarget.of(GoCd.clusterProfile("https://elastic-agents.example.com"));
    String warning =
        "[{\"type\":\"warning\",\"message\":\"Elastic agent service at"
            + " http://elastic-agents.example.com is used over plain http (allow_insecure_http):"
            + " its token and the agents' auto-register keys cross the network unencrypted. Serve"
            + " it over https.\"}]";

    health.record(plain, new ServiceAnswer.Success(200, ""));
    health.recordPing(Map.of(plain, new ServiceAnswer.Success(200, "")), Map.of(plain, List.of()));
    health.recordPing(Map.of(secure, new ServiceAnswer.Success(200, "")), Map.of());

    assertThat(server.bodiesOf(HEALTH)).containsExactly(warning, "[]");
  }

  @Test
  void theWarningNeverShowsTheToken() {
    HealthMessages health =
        new HealthMessages(new GoServer(server.accessor, plugin.pluginIdentifier()));

    health.record(
        ServiceTarget.of(GoCd.clusterProfile("http://elastic-agents.example.com")),
        new ServiceAnswer.Success(200, ""));

    assertThat(server.bodiesOf(HEALTH)).singleElement().asString().doesNotContain(GoCd.TOKEN);
  }

  /** The body with the cluster profile's allow_insecure_http replaced: "" for not set. */
  private static String withFlag(String body, String allow) {
    return body.replace(
        "\"allow_insecure_http\":\"true\"", "\"allow_insecure_http\":\"" + allow + "\"");
  }
}
