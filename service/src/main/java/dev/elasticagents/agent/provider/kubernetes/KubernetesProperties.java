package dev.elasticagents.agent.provider.kubernetes;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
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
 * @param serviceNamespace the service's own namespace, where agents must never run; empty reads it
 *     from the pod's service account ({@code
 *     /var/run/secrets/kubernetes.io/serviceaccount/namespace}), and outside a pod there is none
 * @param serviceAccount the service's own service account, which no agent pod may run as
 * @param podSecurityLevel the Pod Security Standards level every agent pod must meet: {@code
 *     baseline} or {@code restricted}
 * @param allowedServiceAccounts the service accounts agent pods may run as (the profile's {@code
 *     service_account} or the template's), never the service's own even when listed
 * @param allowedSecretVolumes the Secrets agent pods may mount ({@code secret} and {@code
 *     projected} volumes) or read into environment variables; none by default
 * @param allowedLabelPrefixes the prefixes of the labels a pod template may set, e.g. {@code
 *     team.example.com/}; none by default
 * @param allowedAnnotationPrefixes the prefixes of the annotations a pod template may set; none by
 *     default
 * @param allowNodeName whether a pod template may pin its pod to a node ({@code spec.nodeName}),
 *     which bypasses the scheduler and its taints
 * @param allowTolerations whether a pod template may tolerate taints, e.g. those keeping builds off
 *     the control plane
 * @param automountServiceAccountToken whether agent pods get their service account's token; off by
 *     default, as a build needs no access to the API server
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
    @DefaultValue("PT2M") Duration launchGrace,
    @DefaultValue("") String serviceNamespace,
    @DefaultValue("elastic-agent-workers") String serviceAccount,
    @DefaultValue("baseline") PodSecurityLevel podSecurityLevel,
    @DefaultValue("default") List<String> allowedServiceAccounts,
    @DefaultValue List<String> allowedSecretVolumes,
    @DefaultValue List<String> allowedLabelPrefixes,
    @DefaultValue List<String> allowedAnnotationPrefixes,
    @DefaultValue("false") boolean allowNodeName,
    @DefaultValue("false") boolean allowTolerations,
    @DefaultValue("false") boolean automountServiceAccountToken) {

  // Bound through the canonical constructor; the shorter one is for code that predates the policy.
  @ConstructorBinding
  public KubernetesProperties {
    allowedServiceAccounts = List.copyOf(allowedServiceAccounts);
    allowedSecretVolumes = List.copyOf(allowedSecretVolumes);
    allowedLabelPrefixes = List.copyOf(allowedLabelPrefixes);
    allowedAnnotationPrefixes = List.copyOf(allowedAnnotationPrefixes);
  }

  /** The settings of earlier versions, every pod policy setting at its default. */
  public KubernetesProperties(
      String apiUrl,
      String namespace,
      String token,
      boolean trustCerts,
      String goServerUrl,
      Duration deletionGracePeriod,
      Duration resyncPeriod,
      Duration launchGrace) {
    this(
        apiUrl,
        namespace,
        token,
        trustCerts,
        goServerUrl,
        deletionGracePeriod,
        resyncPeriod,
        launchGrace,
        "",
        "elastic-agent-workers",
        PodSecurityLevel.BASELINE,
        List.of("default"),
        List.of(),
        List.of(),
        List.of(),
        false,
        false,
        false);
  }

  @Override
  public String toString() {
    return "KubernetesProperties[apiUrl=%s, namespace=%s, token=%s, trustCerts=%s, goServerUrl=%s, deletionGracePeriod=%s, resyncPeriod=%s, launchGrace=%s, serviceNamespace=%s, serviceAccount=%s, podSecurityLevel=%s, allowedServiceAccounts=%s, allowedSecretVolumes=%s, allowedLabelPrefixes=%s, allowedAnnotationPrefixes=%s, allowNodeName=%s, allowTolerations=%s, automountServiceAccountToken=%s]"
        .formatted(
            apiUrl,
            namespace,
            token.isEmpty() ? "(empty)" : "(set)",
            trustCerts,
            goServerUrl,
            deletionGracePeriod,
            resyncPeriod,
            launchGrace,
            serviceNamespace,
            serviceAccount,
            podSecurityLevel,
            allowedServiceAccounts,
            allowedSecretVolumes,
            allowedLabelPrefixes,
            allowedAnnotationPrefixes,
            allowNodeName,
            allowTolerations,
            automountServiceAccountToken);
  }
}
