package dev.elasticagents.agent.lifecycle;

import dev.elasticagents.agent.AgentProperties;
import dev.elasticagents.agent.CapacityCeilings;
import dev.elasticagents.agent.ClusterProfile;
import dev.elasticagents.agent.ClusterProfileIds;
import dev.elasticagents.agent.registry.AgentRegistry;
import dev.elasticagents.runtime.InvalidJobVariablesException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.util.ConcurrentLruCache;

/**
 * A request's cluster profile as the service serves it: its id one the operator allows ({@link
 * ClusterProfileIds}), and its limits those it asks for (or the defaults) capped by the operator's
 * {@link CapacityCeilings}. Nothing in a request lifts a ceiling; only an approved capacity grant
 * goes past it, when create-agent uses the grant.
 */
@Component
public class ClusterProfiles {

  private static final Logger log = LoggerFactory.getLogger(ClusterProfiles.class);

  private final AgentProperties properties;
  private final CapacityCeilings ceilings;
  private final ClusterProfileIds ids;
  private final AgentRegistry registry;
  // Cluster profiles whose request asked for more than the ceiling, warned about once. Only
  // tracked profiles are added, so it is as bounded as they are.
  private final Set<String> warned = ConcurrentHashMap.newKeySet();
  // GoCD sends a cluster profile's properties unchanged with every request of its jobs: each set is
  // read and checked once, not once per job. A set that fails its checks is never kept.
  private final ConcurrentLruCache<Map<String, String>, ClusterProfile> read;

  public ClusterProfiles(
      AgentProperties properties,
      CapacityCeilings ceilings,
      ClusterProfileIds ids,
      AgentRegistry registry) {
    this.properties = properties;
    this.ceilings = ceilings;
    this.ids = ids;
    this.registry = registry;
    this.read =
        new ConcurrentLruCache<>(
            PROPERTY_SETS_KEPT,
            clusterProfileProperties ->
                ClusterProfile.from(clusterProfileProperties, properties.clusterDefaults()));
  }

  /** How many sets of cluster profile properties are kept read. */
  static final int PROPERTY_SETS_KEPT = 256;

  /** What a request asks for, the defaults filling in what it leaves out; nothing capped. */
  public ClusterProfile requested(Map<String, String> clusterProfileProperties) {
    return read.get(Map.copyOf(clusterProfileProperties));
  }

  /**
   * The cluster profile as the service serves it: under its listed spelling, its limits capped by
   * the ceilings.
   *
   * @throws InvalidJobVariablesException when its properties cannot be read or its id is not listed
   */
  public ClusterProfile effective(Map<String, String> clusterProfileProperties) {
    return effective(requested(clusterProfileProperties));
  }

  private ClusterProfile effective(ClusterProfile requested) {
    String id = requested.id();
    if (ids.listed()) {
      id =
          ids.listedAs(id)
              .orElseThrow(
                  () ->
                      new InvalidJobVariablesException(
                          List.of(
                              "'cluster_profile_properties.id' names a cluster profile this service"
                                  + " does not serve: add it to"
                                  + " elastic-agents.cluster-profiles.known-ids")));
    }
    CapacityCeilings.Ceiling ceiling = ceilings.of(id);
    return new ClusterProfile(
        id,
        Math.min(requested.maxRunningAgents(), ceiling.maxRunningAgents()),
        Math.min(requested.maxPendingAgents(), ceiling.maxPendingAgents()),
        requested.idleTimeout(),
        requested.autoRegisterTimeout(),
        requested.maxBuildDuration());
  }

  /**
   * Checks that a request's cluster profile would be served, without tracking it.
   *
   * @throws InvalidJobVariablesException when it would not
   */
  public void check(Map<String, String> clusterProfileProperties) {
    ClusterProfile cluster = effective(clusterProfileProperties);
    if (!registry.canTrackClusterProfile(cluster.id(), trackingLimit())) {
      throw untracked();
    }
  }

  /**
   * The cluster profile a create-agent decision is taken for, tracked by the registry from now on;
   * says once per cluster profile when a request asks for more than its ceiling.
   *
   * @throws InvalidJobVariablesException when it is not served
   */
  public ClusterProfile tracked(Map<String, String> clusterProfileProperties) {
    ClusterProfile requested = requested(clusterProfileProperties);
    ClusterProfile cluster = effective(requested);
    if (!registry.trackClusterProfile(cluster.id(), trackingLimit())) {
      throw untracked();
    }
    if ((requested.maxRunningAgents() > cluster.maxRunningAgents()
            || requested.maxPendingAgents() > cluster.maxPendingAgents())
        && warned.add(cluster.id())) {
      CapacityCeilings.Ceiling ceiling = ceilings.of(cluster.id());
      // The limits only: the request's other properties may hold secrets.
      log.warn(
          "Cluster profile '{}' asks for {} running and {} starting agents; it gets at most {}"
              + " ({}) and {} ({}). Only an approved capacity override goes past them.",
          cluster.id(),
          requested.maxRunningAgents(),
          requested.maxPendingAgents(),
          cluster.maxRunningAgents(),
          ceiling.runningSetBy(),
          cluster.maxPendingAgents(),
          ceiling.pendingSetBy());
    }
    return cluster;
  }

  /** Listed ids are bounded by their list; otherwise the registry tracks at most so many. */
  private int trackingLimit() {
    return ids.listed() ? Integer.MAX_VALUE : ids.maxTracked();
  }

  private InvalidJobVariablesException untracked() {
    return new InvalidJobVariablesException(
        List.of(
            "'cluster_profile_properties.id' names a new cluster profile, and the service already"
                + " tracks elastic-agents.cluster-profiles.max-tracked (%d) of them: list the ids it serves in elastic-agents.cluster-profiles.known-ids, or raise the limit"
                    .formatted(ids.maxTracked())));
  }
}
