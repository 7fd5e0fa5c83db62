package dev.elasticagents.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.RETURNS_DEEP_STUBS;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.camunda.client.CamundaClient;
import io.camunda.client.api.command.ClientStatusException;
import io.camunda.client.api.response.BrokerInfo;
import io.camunda.client.api.response.PartitionBrokerHealth;
import io.camunda.client.api.response.PartitionInfo;
import io.camunda.client.api.response.Topology;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

/**
 * The cluster indicator's verdict for each topology a gateway can answer. The engine's healthy and
 * unreachable answers are in ReadinessTest; these are the ones a single local broker cannot produce
 * on demand.
 */
class ClusterHealthIndicatorTest {

  private final CamundaClient client = mock(CamundaClient.class, RETURNS_DEEP_STUBS);
  private final Topology topology = mock(Topology.class);
  private final ClusterHealthIndicator indicator = new ClusterHealthIndicator(client);

  @BeforeEach
  void gateway() {
    when(client.getConfiguration().getGrpcAddress())
        .thenReturn(URI.create("http://127.0.0.1:26500"));
    when(client.newTopologyRequest().requestTimeout(any()).send().join()).thenReturn(topology);
    when(topology.getGatewayVersion()).thenReturn("8.8.0");
  }

  @Test
  void isUpWhenEveryPartitionHasAHealthyLeader() {
    answer(
        2,
        broker(
            partition(1, true, PartitionBrokerHealth.HEALTHY),
            partition(2, true, PartitionBrokerHealth.HEALTHY)));

    assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
  }

  @Test
  void isDownNamingThePartitionsWhoseLeaderIsUnhealthyOrMissing() {
    answer(
        3,
        broker(
            partition(1, true, PartitionBrokerHealth.HEALTHY),
            partition(2, true, PartitionBrokerHealth.UNHEALTHY)),
        broker(partition(3, false, PartitionBrokerHealth.HEALTHY)));

    Health health = indicator.health();

    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
    assertThat(health.getDetails())
        .containsEntry("reason", "Partition(s) [2, 3] have no healthy leader");
  }

  @Test
  void isDownWhenTheGatewayKnowsNoBroker() {
    answer(1);

    Health health = indicator.health();

    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
    assertThat(health.getDetails())
        .containsEntry("reason", "The gateway at http://127.0.0.1:26500 knows no broker");
  }

  @Test
  void isDownWithTheCauseWhenTheGatewayCannotBeReached() {
    when(client.newTopologyRequest().requestTimeout(any()).send().join())
        .thenThrow(
            new ClientStatusException(
                io.grpc.Status.UNAVAILABLE.withDescription("io exception"), null));

    Health health = indicator.health();

    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
    assertThat(health.getDetails())
        .containsEntry(
            "reason",
            "Cannot reach the cluster at http://127.0.0.1:26500 (UNAVAILABLE: io exception)");
  }

  private void answer(int partitions, BrokerInfo... brokers) {
    when(topology.getPartitionsCount()).thenReturn(partitions);
    when(topology.getBrokers()).thenReturn(List.of(brokers));
  }

  private static BrokerInfo broker(PartitionInfo... partitions) {
    BrokerInfo broker = mock(BrokerInfo.class);
    when(broker.getPartitions()).thenReturn(List.of(partitions));
    return broker;
  }

  private static PartitionInfo partition(int id, boolean leader, PartitionBrokerHealth health) {
    PartitionInfo partition = mock(PartitionInfo.class);
    when(partition.getPartitionId()).thenReturn(id);
    when(partition.isLeader()).thenReturn(leader);
    when(partition.getHealth()).thenReturn(health);
    return partition;
  }
}
