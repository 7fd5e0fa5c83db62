package dev.elasticagents.gocd.plugin;

import dev.elasticagents.gocd.profile.ClusterProfileProperties;
import dev.elasticagents.gocd.profile.PropertyError;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where one elastic agent service listens and the token it expects. Cluster profiles naming the
 * same URL and token are the same service. A plain http URL exists only where its cluster profile
 * allows it ({@code allow_insecure_http}): without that, no target and so no request, which would
 * carry the token in clear text.
 */
record ServiceTarget(String url, String token, boolean insecureHttpAllowed) {

  ServiceTarget {
    boolean plainHttp = ClusterProfileProperties.isPlainHttp(url);
    if (plainHttp && !insecureHttpAllowed) {
      throw new InvalidRequest(
          "the cluster profile names no usable service: Service URL must be https, or set "
              + ClusterProfileProperties.ALLOW_INSECURE_HTTP
              + " to true");
    }
    // Only meaningful for http: https targets of the same URL and token stay one service.
    insecureHttpAllowed = plainHttp;
  }

  /** Reads the service of a cluster profile, checked by the same rules GoCD's form applies. */
  static ServiceTarget of(Map<String, String> clusterProfileProperties) {
    String url = clusterProfileProperties.get(ClusterProfileProperties.SERVICE_URL);
    String token = clusterProfileProperties.get(ClusterProfileProperties.SERVICE_TOKEN);
    String allowInsecureHttp =
        clusterProfileProperties.get(ClusterProfileProperties.ALLOW_INSECURE_HTTP);
    Map<String, String> service = new HashMap<>();
    service.put(ClusterProfileProperties.SERVICE_URL, url);
    service.put(ClusterProfileProperties.SERVICE_TOKEN, token);
    service.put(ClusterProfileProperties.ALLOW_INSECURE_HTTP, allowInsecureHttp);
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
    return new ServiceTarget(base, token, ClusterProfileProperties.allowsInsecureHttp(service));
  }

  URI endpoint(Message message) {
    return URI.create(url + "/gocd/v5/" + message.shortName());
  }

  /**
   * Whether GoCD should warn that this service is used over plain http: the token and the
   * auto-register keys cross the network readable. Not for a loopback address (127.0.0.0/8, ::1,
   * localhost), whose traffic never leaves the host.
   */
  boolean warnsOfPlainHttp() {
    return insecureHttpAllowed && !loopback(URI.create(url).getHost());
  }

  private static boolean loopback(String host) {
    if (host == null) {
      return false;
    }
    String name = host.toLowerCase(Locale.ROOT);
    if (name.equals("localhost")) {
      return true;
    }
    // Literal addresses only: a name is never resolved here.
    if (!(name.startsWith("[") || name.matches("[0-9.]+"))) {
      return false;
    }
    try {
      return InetAddress.getByName(name).isLoopbackAddress();
    } catch (UnknownHostException notALiteral) {
      return false;
    }
  }

  /** Shown in logs and health messages, so it leaves the token out. */
  @Override
  public String toString() {
    return "service at " + url;
  }
}
