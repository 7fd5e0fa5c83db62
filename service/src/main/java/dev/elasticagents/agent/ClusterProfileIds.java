package dev.elasticagents.agent;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Which cluster profile ids the service serves. Every id it serves gets a row in the registry, a
 * lock, gauges and counters tagged with it, and capacity of its own; the id comes with the request,
 * so without a bound each new id would add to them for ever.
 *
 * @param knownIds the ids of the GoCD cluster profiles this service serves; requests for any other
 *     id are refused as invalid. Ids match regardless of case, as GoCD compares them, and a request
 *     is served under the spelling listed here. Empty: any id, up to {@code maxTracked}
 * @param maxTracked while no ids are listed, how many distinct cluster profile ids the registry
 *     tracks; a request with a new id beyond that is refused as invalid
 */
@ConfigurationProperties("elastic-agents.cluster-profiles")
public record ClusterProfileIds(List<String> knownIds, @DefaultValue("100") int maxTracked) {

  public ClusterProfileIds {
    knownIds = knownIds == null ? List.of() : List.copyOf(knownIds);
    if (maxTracked < 1) {
      throw new IllegalArgumentException(
          "elastic-agents.cluster-profiles.max-tracked must be at least 1: " + maxTracked);
    }
    Map<String, String> spelling = new HashMap<>();
    for (String id : knownIds) {
      if (id.isBlank()) {
        throw new IllegalArgumentException(
            "elastic-agents.cluster-profiles.known-ids must not hold an empty id");
      }
      String other = spelling.putIfAbsent(id.toLowerCase(Locale.ROOT), id);
      if (other != null) {
        throw new IllegalArgumentException(
            "elastic-agents.cluster-profiles.known-ids lists '%s' and '%s', which GoCD takes for one cluster profile: keep one"
                .formatted(other, id));
      }
    }
  }

  /** Whether the ids are listed; otherwise {@code maxTracked} bounds them. */
  public boolean listed() {
    return !knownIds.isEmpty();
  }

  /** The listed id that matches {@code id} regardless of case. */
  public Optional<String> listedAs(String id) {
    return knownIds.stream().filter(known -> known.equalsIgnoreCase(id)).findFirst();
  }
}
