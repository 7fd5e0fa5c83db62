package dev.elasticagents.agent.provider.kubernetes;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code kubernetes} provider: each agent is a pod. With no API URL the client configures
 * itself as fabric8 does: in-cluster (the pod's service account) or from {@code ~/.kube/config}.
 * Credentials come from here only, never from a cluster profile: a cluster profile's properties
 * travel in Zeebe variables.
 *
 * @param apiUrl the API server, e.g. {@code https://kubernetes.default.svc}; empty configures the
 *     client automatically
 * @param namespace where agents run; empty means the client's namespace (in-cluster: the service's
 *     own)
 * @param token a bearer token for the API server; empty uses the automatic configuration's
 * @param trustCerts whether to trust the API server's certificate without checking it (tests only)
 * @param goServerUrl the GoCD server URL agents connect to, when the cluster profile names none
 * @param deletionGracePeriod how long a terminated agent's pod may take to stop
 * @param resyncPeriod how often the pod watcher looks at every pod again (pods stuck Pending)
 * @param launchGrace how long after an agent's reservation (or launch) its pod may still be
 *     missing: a replica that starts meanwhile leaves such an agent to cleanup, as another replica
 *     may be creating its pod right now. Keep it longer than creating a pod takes, from the
 *     reservation to the API server's answer; 2 minutes by default, and reconciliation never waits
 *     less than the minute cleanup gives a launched agent to appear
 */
@ConfigurationProperties("elastic-agents.kubernetes")
public record KubernetesProperties(
    @DefaultValue("") String apiUrl,
    @DefaultValue("") String namespace,
    @DefaultValue("") String token,
    @DefaultValue("false") boolean trustCerts,
    @DefaultValue("https://gocd-server:8154/go") String goServerUrl,
    @DefaultValue("PT30S") Duration deletionGracePeriod,
    @DefaultValue("PT1M") Duration resyncPeriod,
    @DefaultValue("PT2M") Duration launchGrace) {

  @Override
  public String toString() {
    return "KubernetesProperties[apiUrl=%s, namespace=%s, token=%s, trustCerts=%s, goServerUrl=%s, deletionGracePeriod=%s, resyncPeriod=%s, launchGrace=%s]"
        .formatted(
            apiUrl,
            namespace,
            token.isEmpty() ? "(empty)" : "(set)",
            trustCerts,
            goServerUrl,
            deletionGracePeriod,
            resyncPeriod,
            launchGrace);
  }
}
