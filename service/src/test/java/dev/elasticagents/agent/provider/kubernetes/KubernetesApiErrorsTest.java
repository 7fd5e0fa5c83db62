package dev.elasticagents.agent.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.elasticagents.agent.AgentId;
import dev.elasticagents.runtime.InvalidJobVariablesException;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the API server's refusals mean for the create-agent job, against the mock server in
 * expectations mode: a refused permission fails the job for a retry with one message naming it; a
 * refused pod fails it with an incident naming the field; a server error fails it for a retry.
 */
@EnableKubernetesMockClient
class KubernetesApiErrorsTest {

  static KubernetesMockServer server;
  static KubernetesClient client;

  private static final String PODS =
      "/api/v1/namespaces/" + KubernetesAgentProviderTest.NAMESPACE + "/pods";

  @Test
  void aRefusedPermissionNamesWhatTheServiceMayNotDo() {
    server
        .expect()
        .post()
        .withPath(PODS)
        .andReturn(
            403, status(403, "Forbidden", "pods is forbidden: User cannot create resource pods"))
        .once();

    assertThatThrownBy(() -> launch())
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage(
            "Kubernetes refused to create pods in namespace 'gocd-agents' (HTTP 403): the service's"
                + " account needs the Role of deploy/kubernetes/base/rbac.yaml (pods: get, list,"
                + " watch, create, delete; secrets: get, create, delete)");
  }

  @Test
  void aPodTheServerRefusesIsAnIncidentNamingTheField() {
    server
        .expect()
        .post()
        .withPath(PODS)
        .andReturn(
            422,
            status(
                422,
                "Invalid",
                "Pod \"gocd-x\" is invalid: spec.containers[0].resources.requests: Invalid value:"
                    + " \"4\": must be less than or equal to cpu limit"))
        .once();

    assertThatThrownBy(() -> launch())
        .isInstanceOf(InvalidJobVariablesException.class)
        .hasMessageContaining(
            "Kubernetes refused the agent's pod (HTTP 422): Pod \"gocd-x\" is invalid:"
                + " spec.containers[0].resources.requests");
  }

  @Test
  void aServerErrorIsTriedAgain() {
    server
        .expect()
        .post()
        .withPath(PODS)
        .andReturn(500, status(500, "InternalError", "etcdserver: request timed out"))
        .once();

    assertThatThrownBy(() -> launch())
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage(
            "Kubernetes could not create pods in namespace 'gocd-agents' (HTTP 500); the job is"
                + " tried again");
  }

  private static void launch() {
    // The client repeats a request that failed with 5xx; the job's own retry is the one under test.
    KubernetesClient once =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder(client.getConfiguration())
                    .withRequestRetryBackoffLimit(0)
                    .build())
            .build();
    KubernetesAgentProviderTest.provider(once)
        .launch(KubernetesAgentProviderTest.launch(AgentId.next(), Map.of("image", "gocd-agent")));
  }

  private static Status status(int code, String reason, String message) {
    return new StatusBuilder()
        .withStatus("Failure")
        .withCode(code)
        .withReason(reason)
        .withMessage(message)
        .build();
  }
}
