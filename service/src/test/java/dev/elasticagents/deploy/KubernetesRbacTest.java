package dev.elasticagents.deploy;

import static dev.elasticagents.deploy.KubernetesManifests.one;
import static org.assertj.core.api.Assertions.assertThat;

import dev.elasticagents.agent.Agent;
import dev.elasticagents.agent.AgentId;
import dev.elasticagents.agent.AgentLaunch;
import dev.elasticagents.agent.AgentProfile;
import dev.elasticagents.agent.AgentTerminations;
import dev.elasticagents.agent.AutoRegisterKey;
import dev.elasticagents.agent.Termination;
import dev.elasticagents.agent.provider.kubernetes.KubernetesAgentProvider;
import dev.elasticagents.agent.provider.kubernetes.KubernetesProperties;
import dev.elasticagents.agent.provider.kubernetes.PodWatcher;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Role of deploy/kubernetes grants exactly what the kubernetes provider calls: the requests the
 * mock API server received during a whole agent's life (launch, a launch retried, listing,
 * watching, terminating, deleting), as resource and verb, against the Role's rules as kustomize
 * builds them.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesRbacTest {

  private static final String NAMESPACE = "elastic-agents";
  private static final String PLUGIN = "dev.elasticagents.zeebe";

  static KubernetesClient client;
  static KubernetesMockServer server;

  @Test
  void theRoleGrantsExactlyTheCallsOfAnAgentsWholeLife() throws Exception {
    List<HasMetadata> production = KubernetesManifests.built().production();
    Set<String> granted = new TreeSet<>();
    one(production, Role.class)
        .getRules()
        .forEach(
            rule ->
                rule.getResources()
                    .forEach(
                        resource ->
                            rule.getVerbs().forEach(verb -> granted.add(resource + " " + verb))));

    Set<String> called = callsOfAnAgentsLife();

    assertThat(called).isEqualTo(granted);
  }

  private Set<String> callsOfAnAgentsLife() throws InterruptedException {
    KubernetesAgentProvider provider =
        new KubernetesAgentProvider(
            client,
            new KubernetesProperties(
                "",
                NAMESPACE,
                "",
                false,
                "https://gocd.example.com/go",
                Duration.ofSeconds(30),
                Duration.ofMinutes(1),
                Duration.ofMinutes(2)),
            PLUGIN);
    PodWatcher watcher = new PodWatcher(client, provider, new NoAgents(), Clock.systemUTC());
    while (server.takeRequest(10, TimeUnit.MILLISECONDS) != null) {
      // what other tests of this server asked
    }
    String agent = AgentId.next();
    AgentLaunch launch =
        new AgentLaunch(
            agent,
            PLUGIN,
            new AutoRegisterKey("1e0e05fc-eb45-11e5-bc83-93882adfccf6"),
            new AgentProfile("", Map.of("image", "gocd-agent"), true));

    watcher.start();
    try {
      provider.launch(launch);
      provider.launch(launch);
      provider.runningAgents();
      provider.disable(agent);
      provider.terminate(agent);
      provider.delete(agent);
    } finally {
      watcher.stop();
    }
    provider.runningAgents();

    Set<String> calls = new TreeSet<>();
    RecordedRequest request;
    while ((request = server.takeRequest(200, TimeUnit.MILLISECONDS)) != null) {
      calls.add(call(request.getMethod(), request.getPath()));
    }
    return calls;
  }

  /** "pods get", "secrets create"...: the resource and the RBAC verb of one request. */
  private static String call(String method, String path) {
    String[] pathAndQuery = path.split("\\?", 2);
    String query = pathAndQuery.length > 1 ? pathAndQuery[1] : "";
    String[] segments = pathAndQuery[0].split("/");
    int at = List.of(segments).indexOf("namespaces");
    assertThat(segments[at + 1])
        .as("every call stays in the agents' namespace")
        .isEqualTo(NAMESPACE);
    String resource = segments[at + 2];
    boolean named = segments.length > at + 3;
    if (segments.length > at + 4) {
      resource = resource + "/" + segments[at + 4];
    }
    String verb =
        switch (method) {
          case "GET" -> named ? "get" : query.contains("watch=true") ? "watch" : "list";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> named ? "delete" : "deletecollection";
          default -> method;
        };
    return resource + " " + verb;
  }

  /** A registry that holds no agent: the watcher deletes nothing here, as it sees no pod. */
  private static final class NoAgents implements AgentTerminations {
    @Override
    public Optional<Agent> find(String agentId) {
      return Optional.empty();
    }

    @Override
    public boolean terminate(Agent observed, Termination termination) {
      return false;
    }

    @Override
    public void removeUnknown(String agentId) {}
  }
}
