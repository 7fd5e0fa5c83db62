package dev.elasticagents.runtime;

import io.camunda.client.CamundaClient;
import io.camunda.client.api.command.ClientStatusException;
import io.camunda.client.api.response.BrokerInfo;
import io.camunda.client.api.response.PartitionBrokerHealth;
import io.camunda.client.api.response.PartitionInfo;
import io.camunda.client.api.response.Topology;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Whether the cluster can take this service's work: the gateway answers its topology within a few
 * seconds and every partition has a healthy leader. Part of readiness, not liveness: a service
 * waiting for its cluster needs no restart, only no traffic.
 */
@Component
public class ClusterHealthIndicator implements HealthIndicator {

  /** Short of a readiness probe's period, so that a probe never waits on a hung gateway. */
  static final Duration TIMEOUT = Duration.ofSeconds(3);

  private final CamundaClient client;

  public ClusterHealthIndicator(CamundaClient client) {
    this.client = client;
  }

  @Override
  public Health health() {
    String address = client.getConfiguration().getGrpcAddress().toString();
    Topology topology;
    try {
      topology = client.newTopologyRequest().requestTimeout(TIMEOUT).send().join();
    } catch (ClientStatusException e) {
      return unreachable(
          address,
          e.getStatusCode()
              + (e.getStatus().getDescription() == null
                  ? ""
                  : ": " + e.getStatus().getDescription()));
    } catch (RuntimeException e) {
      Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      return unreachable(address, cause.getClass().getSimpleName() + ": " + cause.getMessage());
    }
    Set<Integer> withHealthyLeader = new TreeSet<>();
    for (BrokerInfo broker : topology.getBrokers()) {
      for (PartitionInfo partition : broker.getPartitions()) {
        if (partition.isLeader() && partition.getHealth() == PartitionBrokerHealth.HEALTHY) {
          withHealthyLeader.add(partition.getPartitionId());
        }
      }
    }
    List<Integer> withoutLeader =
        java.util.stream.IntStream.rangeClosed(1, topology.getPartitionsCount())
            .filter(partition -> !withHealthyLeader.contains(partition))
            .boxed()
            .toList();
    Health.Builder health =
        withoutLeader.isEmpty() && !topology.getBrokers().isEmpty() ? Health.up() : Health.down();
    if (topology.getBrokers().isEmpty()) {
      health.withDetail("reason", "The gateway at " + address + " knows no broker");
    } else if (!withoutLeader.isEmpty()) {
      health.withDetail("reason", "Partition(s) " + withoutLeader + " have no healthy leader");
    }
    return health
        .withDetail("gateway", address)
        .withDetail("gatewayVersion", topology.getGatewayVersion())
        .withDetail("brokers", topology.getBrokers().size())
        .withDetail("partitions", topology.getPartitionsCount())
        .build();
  }

  private static Health unreachable(String address, String cause) {
    return Health.down()
        .withDetail("gateway", address)
        .withDetail("reason", "Cannot reach the cluster at " + address + " (" + cause + ")")
        .build();
  }
}
