package dev.elasticagents.gocd.plugin;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.thoughtworks.go.plugin.api.GoPlugin;
import com.thoughtworks.go.plugin.api.exceptions.UnhandledRequestTypeException;
import com.thoughtworks.go.plugin.api.request.DefaultGoPluginApiRequest;
import com.thoughtworks.go.plugin.api.response.GoPluginApiResponse;
import dev.elasticagents.gocd.testing.GoCdBody;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** GoCD's side of the conversation: its requests, with the bodies its plugin API documents. */
final class GoCd {

  static final String TOKEN = "gocd-plugin-token-7b1e40c2d9";
  static final String AUTO_REGISTER_KEY = "autoregister-key-3f9a0c6e21d84b57";

  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

  private GoCd() {}

  /**
   * A stand-in for the service a cluster profile points at: WireMock on 127.0.0.1, any free port.
   */
  static WireMockExtension serviceStub() {
    return WireMockExtension.newInstance()
        .options(wireMockConfig().bindAddress("127.0.0.1").dynamicPort())
        .build();
  }

  static GoPluginApiResponse send(GoPlugin plugin, String name, String body) {
    DefaultGoPluginApiRequest request =
        new DefaultGoPluginApiRequest("elastic-agent", "5.0", "cd.go.elastic-agent." + name);
    request.setRequestBody(body);
    try {
      return plugin.handle(request);
    } catch (UnhandledRequestTypeException e) {
      throw new AssertionError(e);
    }
  }

  static Map<String, String> clusterProfile(String serviceUrl) {
    Map<String, String> profile = new LinkedHashMap<>();
    profile.put("service_url", serviceUrl);
    profile.put("service_token", TOKEN);
    // WireMock listens on plain http.
    profile.put("allow_insecure_http", "true");
    profile.put("id", "k8s-eu");
    profile.put("max_running_agents", "5");
    profile.put("go_server_url", "https://gocd.example.com/go");
    return profile;
  }

  /** GoCD's create-agent body, with this class's auto-register key and cluster profile. */
  static GoCdBody createAgentBody(String serviceUrl) {
    return GoCdBody.createAgent()
        .withAutoRegisterKey(AUTO_REGISTER_KEY)
        .withClusterProfile(clusterProfile(serviceUrl));
  }

  static String createAgent(String serviceUrl) {
    return createAgentBody(serviceUrl).toJson();
  }

  static GoCdBody shouldAssignWorkBody(String serviceUrl) {
    return GoCdBody.shouldAssignWork().withClusterProfile(clusterProfile(serviceUrl));
  }

  static String shouldAssignWork(String serviceUrl) {
    return shouldAssignWorkBody(serviceUrl).toJson();
  }

  static String jobCompletion(String serviceUrl) {
    return GoCdBody.jobCompletion().withClusterProfile(clusterProfile(serviceUrl)).toJson();
  }

  static String clusterProfileChanged(String serviceUrl) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "created");
    body.put("cluster_profiles_properties", clusterProfile(serviceUrl));
    return GSON.toJson(body);
  }

  static String clusterStatusReport(String serviceUrl) {
    return GSON.toJson(Map.of("cluster_profile_properties", clusterProfile(serviceUrl)));
  }

  static String agentStatusReport(String serviceUrl) {
    return GoCdBody.agentStatusReport().withClusterProfile(clusterProfile(serviceUrl)).toJson();
  }

  static String pluginStatusReport(Map<?, ?>... profiles) {
    return GSON.toJson(Map.of("all_cluster_profiles_properties", Arrays.asList(profiles)));
  }

  static String serverPing(Map<?, ?>... profiles) {
    return GSON.toJson(Map.of("all_cluster_profile_properties", Arrays.asList(profiles)));
  }

  static String json(Object value) {
    return GSON.toJson(value);
  }

  static String agents(List<Map<String, String>> agents) {
    return GSON.toJson(agents);
  }

  static Map<String, String> agent(String id, String configState) {
    Map<String, String> agent = new LinkedHashMap<>();
    agent.put("agent_id", id);
    agent.put("agent_state", "Idle");
    agent.put("build_state", "Idle");
    agent.put("config_state", configState);
    return agent;
  }

  /** A URL on 127.0.0.1 where nothing listens: connecting fails at once. */
  static String closedPortUrl() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return "http://127.0.0.1:" + socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
