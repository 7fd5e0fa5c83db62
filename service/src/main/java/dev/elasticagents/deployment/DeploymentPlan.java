package dev.elasticagents.deployment;

import java.util.List;
import java.util.Optional;

/**
 * Which models go to a cluster and which wait for a newer one.
 *
 * @param clusterVersion the version the cluster reports, as it reports it
 * @param version that version read as a release, empty when it cannot be read
 * @param deployable the models to deploy: all of them when the version cannot be read
 * @param skipped the models that need a newer cluster
 */
public record DeploymentPlan(
    String clusterVersion,
    Optional<CamundaVersion> version,
    List<Model> deployable,
    List<Model> skipped) {

  public DeploymentPlan {
    deployable = List.copyOf(deployable);
    skipped = List.copyOf(skipped);
  }

  /** Plans the models for a cluster that reports {@code clusterVersion}. */
  public static DeploymentPlan forCluster(String clusterVersion, List<Model> models) {
    Optional<CamundaVersion> version = CamundaVersion.parse(clusterVersion);
    if (version.isEmpty()) {
      // Skipping on a guess could hide a process from a cluster that runs it: let it decide.
      return new DeploymentPlan(clusterVersion, version, models, List.of());
    }
    return new DeploymentPlan(
        clusterVersion,
        version,
        models.stream().filter(model -> model.runsOn(version.get())).toList(),
        models.stream().filter(model -> !model.runsOn(version.get())).toList());
  }
}
