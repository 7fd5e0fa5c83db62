package dev.elasticagents.gocd.plugin;

import dev.elasticagents.gocd.profile.ClusterProfileProperties;
import dev.elasticagents.gocd.profile.PropertyError;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where one elastic agent service listens and the token it expects. Cluster profiles naming the
 * same URL and token are the same service.
 */
record ServiceTarget(String url, String token) {

  /** Reads the service of a cluster profile, checked by the same rules GoCD's form applies. */
  static ServiceTarget of(Map<String, String> clusterProfileProperties) {
    String url = clusterProfileProperties.get(ClusterProfileProperties.SERVICE_URL);
    String token = clusterProfileProperties.get(ClusterProfileProperties.SERVICE_TOKEN);
    Map<String, String> service = new HashMap<>();
    service.put(ClusterProfileProperties.SERVICE_URL, url);
    service.put(ClusterProfileProperties.SERVICE_TOKEN, token);
    List<PropertyError> errors = ClusterProfileProperties.validate(service);
    if (!errors.isEmpty()) {
      throw new InvalidRequest(
          "the cluster profile names no usable service: "
              + errors.stream().map(PropertyError::message).collect(Collectors.joining("; ")));
    }
    String base = url;
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    return new ServiceTarget(base, token);
  }

  URI endpoint(Message message) {
    return URI.create(url + "/gocd/v5/" + message.shortName());
  }

  /** Shown in logs and health messages, so it leaves the token out. */
  @Override
  public String toString() {
    return "service at " + url;
  }
}
