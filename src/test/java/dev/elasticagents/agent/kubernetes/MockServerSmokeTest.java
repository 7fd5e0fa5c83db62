package dev.elasticagents.agent.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class MockServerSmokeTest {

  static KubernetesClient client;

  @Test
  void createsAndListsAPod() {
    client.pods().inNamespace("agents").resource(new PodBuilder().withNewMetadata().withName("gocd-1").endMetadata().build()).create();
    assertThat(client.pods().inNamespace("agents").list().getItems()).hasSize(1);
    System.out.println("HTTP client: " + client.getHttpClient().getClass().getName());
  }
}
