package dev.elasticagents.gocd.plugin;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.elasticagents.gocd.plugin.GoCd.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Neither the service token nor the auto-register key reaches the plugin's log. Outside GoCD the
 * plugin API's logger writes to standard out and error, so those are what the test reads.
 */
@ExtendWith(OutputCaptureExtension.class)
class SecretsInLogsTest {

  @RegisterExtension static WireMockExtension service = GoCd.serviceStub();

  private final MockGoServer server = new MockGoServer();
  private final ElasticAgentPlugin plugin = server.plugin();

  @BeforeEach
  void initialise() {
    server.agents(GoCd.agents(List.of(GoCd.agent("GoCD-a1", "Enabled"))));
  }

  @Test
  void noSecretIsLoggedWhateverTheServiceAnswers(CapturedOutput output) {
    String url = service.baseUrl();
    String closed = GoCd.closedPortUrl();
    // The service echoes the secrets back in every kind of answer.
    String echo = "token " + GoCd.TOKEN + " key " + GoCd.AUTO_REGISTER_KEY;
    service.stubFor(
        post(urlEqualTo("/gocd/v5/create-agent"))
            .willReturn(ForwardedMessagesTest.problem(400, "Bad Request", echo)));
    service.stubFor(
        post(urlEqualTo("/gocd/v5/job-completion"))
            .willReturn(aResponse().withStatus(401).withBody(echo)));
    service.stubFor(
        post(urlEqualTo("/gocd/v5/should-assign-work")).willReturn(okJson("\"" + echo + "\"")));
    service.stubFor(
        post(urlEqualTo("/gocd/v5/cluster-status-report"))
            .willReturn(aResponse().withStatus(500).withBody(echo)));
    service.stubFor(
        post(urlEqualTo("/gocd/v5/server-ping"))
            .willReturn(
                okJson(
                    "{\"disable_agents\":[\"GoCD-a1\"],\"delete_agents\":[\"GoCD-a1\"],\"health_messages\":[{\"message\":\""
                        + echo
                        + "\"}]}")));

    send(plugin, "create-agent", GoCd.createAgent(url));
    send(plugin, "create-agent", GoCd.createAgent(closed));
    send(
        plugin,
        "create-agent",
        GoCd.createAgentBody(url)
            .without("cluster_profile_properties.service_url")
            .with("cluster_profile_properties.service_address", url)
            .toJson());
    send(plugin, "create-agent", GoCd.createAgent(url).replace("}", "]"));
    send(plugin, "job-completion", GoCd.jobCompletion(url));
    send(plugin, "should-assign-work", GoCd.shouldAssignWork(url));
    send(plugin, "cluster-status-report", GoCd.clusterStatusReport(url));
    send(
        plugin,
        "server-ping",
        GoCd.serverPing(GoCd.clusterProfile(url), GoCd.clusterProfile(closed)));
    send(plugin, "server-ping", GoCd.serverPing(GoCd.clusterProfile(url)));
    send(plugin, "validate-cluster-profile", GoCd.json(GoCd.clusterProfile("ftp://x")));

    assertThat(output.getAll())
        .contains("create-agent", "job-completion", "should-assign-work", "server-ping")
        .doesNotContain(GoCd.TOKEN)
        .doesNotContain(GoCd.AUTO_REGISTER_KEY);
  }

  @Test
  void noSecretIsLoggedOrShownForAPlainHttpService(CapturedOutput output) {
    String url = service.baseUrl();
    service.stubFor(
        post(urlEqualTo("/gocd/v5/create-agent"))
            .willReturn(aResponse().withStatus(200).withFixedDelay(3_000)));
    String withoutFlag = GoCd.createAgent(url).replace("\"allow_insecure_http\":\"true\",", "");
    java.util.Map<String, String> onTheNetwork =
        GoCd.clusterProfile("http://elastic-agents.invalid");

    send(plugin, "create-agent", withoutFlag);
    send(plugin, "validate-cluster-profile", GoCd.json(GoCd.clusterProfile("http://x.example")));
    send(plugin, "server-ping", GoCd.serverPing(onTheNetwork));
    new ServiceCalls(
            new ServiceClient(java.time.Duration.ofMillis(500)),
            new HealthMessages(new GoServer(server.accessor, plugin.pluginIdentifier())))
        .post(ServiceTarget.of(GoCd.clusterProfile(url)), Message.CREATE_AGENT, "{}");

    assertThat(output.getAll())
        .contains("Service URL must be https", "no complete answer within")
        .doesNotContain(GoCd.TOKEN)
        .doesNotContain(GoCd.AUTO_REGISTER_KEY);
    assertThat(server.bodiesOf(GoServer.ADD_HEALTH_MESSAGES))
        .isNotEmpty()
        .allSatisfy(body -> assertThat(body).doesNotContain(GoCd.TOKEN));
  }
}
