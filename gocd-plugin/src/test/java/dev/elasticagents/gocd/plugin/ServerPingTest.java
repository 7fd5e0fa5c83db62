package dev.elasticagents.gocd.plugin;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.elasticagents.gocd.plugin.GoCd.agent;
import static dev.elasticagents.gocd.plugin.GoCd.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.thoughtworks.go.plugin.api.response.GoPluginApiResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** server-ping: GoCD's agent list to each service, and their instructions applied in GoCD. */
class ServerPingTest {

  private static final String LIST = GoServer.LIST_AGENTS;
  private static final String DISABLE = GoServer.DISABLE_AGENTS;
  private static final String DELETE = GoServer.DELETE_AGENTS;
  private static final String HEALTH = GoServer.ADD_HEALTH_MESSAGES;

  @RegisterExtension static WireMockExtension service = GoCd.serviceStub();

  @RegisterExtension static WireMockExtension otherService = GoCd.serviceStub();

  private final MockGoServer server = new MockGoServer();
  private final ElasticAgentPlugin plugin = server.plugin();
  private final String agents =
      GoCd.agents(
          List.of(
              agent("GoCD-a1", "Enabled"),
              agent("GoCD-a2", "Enabled"),
              agent("GoCD-a3", "Disabled"),
              agent("GoCD-a4", "Pending")));

  @BeforeEach
  void initialise() {
    server.agents(agents);
  }

  @Test
  void postsEachServiceItsProfilesAndGoCdsAgentList() {
    answer(service, instructions("[]", "[]"));
    Map<String, String> profile = GoCd.clusterProfile(service.baseUrl());

    GoPluginApiResponse response = send(plugin, "server-ping", GoCd.serverPing(profile));

    assertThat(response.responseCode()).isEqualTo(200);
    assertThat(response.responseBody()).isNull();
    service.verify(
        1,
        postRequestedFor(urlEqualTo("/gocd/v5/server-ping"))
            .withHeader("Authorization", equalTo("Bearer " + GoCd.TOKEN))
            .withRequestBody(
                equalToJson(
                    "{\"all_cluster_profile_properties\":["
                        + GoCd.json(profile)
                        + "],\"agents\":"
                        + agents
                        + "}")));
  }

  @Test
  void listsAgentsThenDisablesThenDeletesExactlyTheAgentsReported() {
    answer(service, instructions("[\"GoCD-a1\"]", "[\"GoCD-a2\"]"));

    send(plugin, "server-ping", GoCd.serverPing(GoCd.clusterProfile(service.baseUrl())));

    assertThat(server.apis()).containsExactly(LIST, DISABLE, DELETE);
    assertThat(server.bodiesOf(DISABLE))
        .containsExactly("[{\"agent_id\":\"GoCD-a1\"},{\"agent_id\":\"GoCD-a2\"}]");
    assertThat(server.bodiesOf(DELETE)).containsExactly("[{\"agent_id\":\"GoCD-a2\"}]");
  }

  @Test
  void anAgentAlreadyDisabledIsDeletedWithoutDisablingItAgain() {
    answer(service, instructions("[]", "[\"GoCD-a3\"]"));

    send(plugin, "server-ping", GoCd.serverPing(GoCd.clusterProfile(service.baseUrl())));

    assertThat(server.apis()).containsExactly(LIST, DELETE);
    assertThat(server.bodiesOf(DELETE)).containsExactly("[{\"agent_id\":\"GoCD-a3\"}]");
  }

  @Test
  void nothingReportedMeansNeitherDisableNorDelete() {
    answer(service, instructions("[]", "[]"));

    send(plugin, "server-ping", GoCd.serverPing(GoCd.clusterProfile(service.baseUrl())));

    assertThat(server.apis()).containsExactly(LIST);
  }

  @Test
  void agentsGoCdDoesNotListAreLeftAlone() {
    answer(service, instructions("[\"GoCD-ghost\"]", "[\"GoCD-gone\"]"));

    send(plugin, "server-ping", GoCd.serverPing(GoCd.clusterProfile(service.baseUrl())));

    assertThat(server.apis()).containsExactly(LIST);
  }

  @Test
  void withSeveralServicesOnlyAgentsEveryServiceListsAreDisabledOrDeleted() {
    answer(service, instructions("[\"GoCD-a1\"]", "[\"GoCD-a2\",\"GoCD-a3\"]"));
    answer(otherService, instructions("[\"GoCD-a2\"]", "[\"GoCD-a3\",\"GoCD-a4\"]"));

    send(
        plugin,
        "server-ping",
        GoCd.serverPing(
            GoCd.clusterProfile(service.baseUrl()), GoCd.clusterProfile(otherService.baseUrl())));

    assertThat(server.apis()).containsExactly(LIST, DISABLE, DELETE);
    assertThat(server.bodiesOf(DISABLE)).containsExactly("[{\"agent_id\":\"GoCD-a2\"}]");
    assertThat(server.bodiesOf(DELETE)).containsExactly("[{\"agent_id\":\"GoCD-a3\"}]");
  }

  @Test
  void eachServiceIsAskedOnceWithOnlyItsOwnProfiles() {
    answer(service, instructions("[]", "[]"));
    answer(otherService, instructions("[]", "[]"));
    Map<String, String> first = GoCd.clusterProfile(service.baseUrl());
    Map<String, String> firstAgain = GoCd.clusterProfile(service.baseUrl() + "/");
    firstAgain.put("id", "k8s-us");
    Map<String, String> second = GoCd.clusterProfile(otherService.baseUrl());

    send(plugin, "server-ping", GoCd.serverPing(first, second, firstAgain));

    service.verify(
        1,
        postRequestedFor(urlEqualTo("/gocd/v5/server-ping"))
            .withRequestBody(
                equalToJson(
                    "{\"all_cluster_profile_properties\":["
                        + GoCd.json(first)
                        + ","
                        + GoCd.json(firstAgain)
                        + "],\"agents\":"
                        + agents
                        + "}")));
    otherService.verify(
        1,
        postRequestedFor(urlEqualTo("/gocd/v5/server-ping"))
            .withRequestBody(
                equalToJson(
                    "{\"all_cluster_profile_properties\":["
                        + GoCd.json(second)
                        + "],\"agents\":"
                        + agents
                        + "}")));
    assertThat(server.apis()).containsExactly(LIST);
  }

  @Test
  void whenOneServiceFailsNoAgentIsDisabledOrDeleted() {
    answer(service, instructions("[\"GoCD-a1\"]", "[\"GoCD-a1\",\"GoCD-a2\"]"));
    otherService.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(500)));

    GoPluginApiResponse response =
        send(
            plugin,
            "server-ping",
            GoCd.serverPing(
                GoCd.clusterProfile(service.baseUrl()),
                GoCd.clusterProfile(otherService.baseUrl())));

    assertThat(response.responseCode()).isEqualTo(200);
    assertThat(server.apis()).doesNotContain(DISABLE, DELETE);
  }

  @Test
  void whenTheOnlyServiceIsUnreachableNoAgentIsDisabledOrDeleted() {
    send(plugin, "server-ping", GoCd.serverPing(GoCd.clusterProfile(GoCd.closedPortUrl())));

    assertThat(server.apis()).containsExactly(LIST, HEALTH);
  }

  @Test
  void aMalformedAnswerCountsAsAFailure() {
    answer(service, "{\"disable_agents\":\"GoCD-a1\",\"delete_agents\":[]}");

    send(plugin, "server-ping", GoCd.serverPing(GoCd.clusterProfile(service.baseUrl())));

    assertThat(server.apis()).containsExactly(LIST, HEALTH);
    assertThat(server.bodiesOf(HEALTH).get(0)).contains("its server-ping answer is malformed");
  }

  @Test
  void aClusterProfileWithoutAServiceMeansNoAgentIsDisabledOrDeleted() {
    answer(service, instructions("[]", "[\"GoCD-a3\"]"));
    Map<String, String> broken = GoCd.clusterProfile(service.baseUrl());
    broken.remove("service_token");

    send(plugin, "server-ping", GoCd.serverPing(GoCd.clusterProfile(service.baseUrl()), broken));

    assertThat(server.apis()).containsExactly(LIST);
    service.verify(1, postRequestedFor(urlEqualTo("/gocd/v5/server-ping")));
  }

  @Test
  void whenGoCdDoesNotDisableTheAgentsNoneIsDeleted() {
    answer(service, instructions("[]", "[\"GoCD-a1\",\"GoCD-a3\"]"));
    server.fail(DISABLE);

    send(plugin, "server-ping", GoCd.serverPing(GoCd.clusterProfile(service.baseUrl())));

    assertThat(server.apis()).containsExactly(LIST, DISABLE);
  }

  @Test
  void whenGoCdDoesNotListItsAgentsNoServiceIsAsked() {
    answer(service, instructions("[]", "[\"GoCD-a1\"]"));
    server.fail(LIST);

    GoPluginApiResponse response =
        send(plugin, "server-ping", GoCd.serverPing(GoCd.clusterProfile(service.baseUrl())));

    assertThat(response.responseCode()).isEqualTo(200);
    assertThat(server.apis()).containsExactly(LIST);
    assertThat(service.getAllServeEvents()).isEmpty();
  }

  @Test
  void withoutClusterProfilesNothingIsAsked() {
    GoPluginApiResponse response = send(plugin, "server-ping", GoCd.serverPing());

    assertThat(response.responseCode()).isEqualTo(200);
    assertThat(server.apis()).isEmpty();
  }

  @Test
  void aBodyThatIsNotJsonIsRefused() {
    GoPluginApiResponse response = send(plugin, "server-ping", "ping");

    assertThat(response.responseCode()).isEqualTo(400);
    assertThat(server.apis()).isEmpty();
  }

  static String instructions(String disable, String delete) {
    return "{\"disable_agents\":"
        + disable
        + ",\"delete_agents\":"
        + delete
        + ",\"health_messages\":[]}";
  }

  static void answer(WireMockExtension target, String body) {
    target.stubFor(post(urlEqualTo("/gocd/v5/server-ping")).willReturn(okJson(body)));
  }
}
