package dev.elasticagents.agent.provider.kubernetes;

import static dev.elasticagents.gocd.profile.ElasticAgentProfileProperties.SERVICE_ACCOUNT;

import dev.elasticagents.agent.AgentProfile;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SELinuxOptions;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The operator's policy for agent pods, checked before an agent is reserved and again before its
 * pod is created. A profile author writes the pod template and a Zeebe user can start a lifecycle
 * with any variables, so nothing of theirs may give a pod more than the operator allows: the Pod
 * Security Standards level of {@code elastic-agents.kubernetes.pod-security-level}, the listed
 * service accounts and Secrets, and template metadata under the listed prefixes only. Each problem
 * names the field that breaks the policy, as the profile author wrote it.
 */
final class PodPolicy {

  /**
   * The labels the service's own Service, Deployment and PodDisruptionBudget select on
   * (deploy/kubernetes): a pod carrying them would receive the service's traffic.
   */
  static final Map<String, String> SERVICE_SELECTOR =
      Map.of("app.kubernetes.io/name", "elastic-agent-workers");

  /** The capabilities the baseline level lets a container add (Pod Security Standards). */
  static final Set<String> BASELINE_CAPABILITIES =
      Set.of(
          "AUDIT_WRITE",
          "CHOWN",
          "DAC_OVERRIDE",
          "FOWNER",
          "FSETID",
          "KILL",
          "MKNOD",
          "NET_BIND_SERVICE",
          "SETFCAP",
          "SETGID",
          "SETPCAP",
          "SETUID",
          "SYS_CHROOT");

  /** The sysctls the baseline level calls safe: namespaced, isolated from other pods. */
  static final Set<String> SAFE_SYSCTLS =
      Set.of(
          "kernel.shm_rmid_forced",
          "net.ipv4.ip_local_port_range",
          "net.ipv4.ip_unprivileged_port_start",
          "net.ipv4.tcp_syncookies",
          "net.ipv4.ping_group_range",
          "net.ipv4.ip_local_reserved_ports",
          "net.ipv4.tcp_keepalive_time",
          "net.ipv4.tcp_fin_timeout",
          "net.ipv4.tcp_keepalive_intvl",
          "net.ipv4.tcp_keepalive_probes");

  private static final Set<String> SELINUX_TYPES =
      Set.of("container_t", "container_init_t", "container_kvm_t", "container_engine_t");

  private static final Set<String> RESTRICTED_VOLUMES =
      Set.of(
          "configMap",
          "csi",
          "downwardAPI",
          "emptyDir",
          "ephemeral",
          "persistentVolumeClaim",
          "projected",
          "secret");

  private static final String TEMPLATE = "pod_template: ";
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private final KubernetesProperties settings;
  private final PodSecurityLevel level;

  PodPolicy(KubernetesProperties settings) {
    this.settings = settings;
    this.level = settings.podSecurityLevel();
  }

  PodSecurityLevel level() {
    return level;
  }

  /**
   * What keeps the provider from creating {@code pod} for {@code profile}; {@code template} is the
   * profile's pod template as written, {@code pod} what the provider made of it.
   */
  List<String> problemsWith(AgentProfile profile, Optional<Pod> template, Pod pod) {
    List<String> problems = new ArrayList<>();
    template.ifPresent(
        written -> {
          metadata(written.getMetadata(), problems);
          secretReferences(written.getSpec(), problems);
          if (Boolean.TRUE.equals(written.getSpec().getAutomountServiceAccountToken())
              && !settings.automountServiceAccountToken()) {
            problems.add(
                TEMPLATE
                    + "spec.automountServiceAccountToken is not allowed: the operator keeps"
                    + " service account tokens out of agent pods"
                    + " (elastic-agents.kubernetes.automount-service-account-token)");
          }
        });
    spec(pod.getSpec(), problems);
    serviceAccount(profile, pod.getSpec(), problems);
    return problems;
  }

  /**
   * Fills in what the restricted level asks for where the template says nothing, so that a pod of
   * an image that runs as a user of its own meets it unchanged; what a template sets stays, and is
   * checked.
   */
  void harden(Pod pod) {
    if (level != PodSecurityLevel.RESTRICTED) {
      return;
    }
    PodSpec spec = pod.getSpec();
    if (spec.getSecurityContext() == null) {
      spec.setSecurityContext(new PodSecurityContext());
    }
    PodSecurityContext podContext = spec.getSecurityContext();
    if (podContext.getRunAsNonRoot() == null) {
      podContext.setRunAsNonRoot(true);
    }
    if (podContext.getSeccompProfile() == null) {
      podContext.setSeccompProfile(new SeccompProfile(null, "RuntimeDefault"));
    }
    for (Container container : allContainers(spec)) {
      if (container.getSecurityContext() == null) {
        container.setSecurityContext(new SecurityContext());
      }
      SecurityContext context = container.getSecurityContext();
      if (context.getAllowPrivilegeEscalation() == null) {
        context.setAllowPrivilegeEscalation(false);
      }
      if (context.getCapabilities() == null) {
        context.setCapabilities(new Capabilities());
      }
      if (context.getCapabilities().getDrop() == null
          || context.getCapabilities().getDrop().isEmpty()) {
        context.getCapabilities().setDrop(List.of("ALL"));
      }
    }
  }

  private void metadata(ObjectMeta metadata, List<String> problems) {
    if (metadata == null) {
      return;
    }
    if (present(metadata.getName())) {
      problems.add(TEMPLATE + "metadata.name is not allowed: the provider names the pod");
    }
    if (present(metadata.getGenerateName())) {
      problems.add(TEMPLATE + "metadata.generateName is not allowed: the provider names the pod");
    }
    if (present(metadata.getNamespace())) {
      problems.add(
          TEMPLATE
              + "metadata.namespace is not allowed: agents run in the namespace the operator"
              + " configured");
    }
    if (!empty(metadata.getFinalizers())) {
      problems.add(TEMPLATE + "metadata.finalizers is not allowed");
    }
    if (!empty(metadata.getOwnerReferences())) {
      problems.add(TEMPLATE + "metadata.ownerReferences is not allowed");
    }
    keys(metadata.getLabels(), "labels", settings.allowedLabelPrefixes(), problems);
    keys(metadata.getAnnotations(), "annotations", settings.allowedAnnotationPrefixes(), problems);
    Optional.ofNullable(metadata.getAnnotations())
        .orElse(Map.of())
        .forEach(
            (key, value) -> {
              if (!annotationAllowedByLevel(key, value)) {
                problems.add(forbidden("metadata.annotations['" + key + "']", value));
              }
            });
  }

  private void keys(
      Map<String, String> entries, String kind, List<String> allowedPrefixes, List<String> out) {
    if (entries == null) {
      return;
    }
    for (Map.Entry<String, String> entry : new TreeMap<>(entries).entrySet()) {
      String key = entry.getKey();
      String field = TEMPLATE + "metadata." + kind + "['" + key + "']";
      if (key.startsWith(AgentPods.PREFIX)) {
        out.add(field + " is not allowed: the provider sets the " + AgentPods.PREFIX + " " + kind);
      } else if (kind.equals("labels")
          && Objects.equals(SERVICE_SELECTOR.get(key), entry.getValue())) {
        out.add(
            field
                + " is not allowed: it is the label the service's own Service and Deployment"
                + " select on");
      } else if (allowedPrefixes.stream().noneMatch(key::startsWith)) {
        out.add(
            field
                + " is not allowed: the operator allows "
                + kind
                + " under "
                + (allowedPrefixes.isEmpty() ? "no prefix" : String.join(", ", allowedPrefixes))
                + " (elastic-agents.kubernetes.allowed-"
                + kind.substring(0, kind.length() - 1)
                + "-prefixes)");
      }
    }
  }

  /** AppArmor and seccomp as annotations, for clusters older than their fields. */
  private static boolean annotationAllowedByLevel(String key, String value) {
    if (key.startsWith("container.apparmor.security.beta.kubernetes.io/")) {
      return "runtime/default".equals(value) || String.valueOf(value).startsWith("localhost/");
    }
    if (key.startsWith("seccomp.security.alpha.kubernetes.io/")
        || key.startsWith("container.seccomp.security.alpha.kubernetes.io/")) {
      return !"unconfined".equals(value);
    }
    return true;
  }

  private void spec(PodSpec spec, List<String> problems) {
    if (Boolean.TRUE.equals(spec.getHostNetwork())) {
      problems.add(forbidden("spec.hostNetwork"));
    }
    if (Boolean.TRUE.equals(spec.getHostPID())) {
      problems.add(forbidden("spec.hostPID"));
    }
    if (Boolean.TRUE.equals(spec.getHostIPC())) {
      problems.add(forbidden("spec.hostIPC"));
    }
    if (present(spec.getNodeName()) && !settings.allowNodeName()) {
      problems.add(
          TEMPLATE
              + "spec.nodeName is not allowed: the operator leaves placing pods to the scheduler"
              + " (elastic-agents.kubernetes.allow-node-name)");
    }
    if (!empty(spec.getTolerations()) && !settings.allowTolerations()) {
      problems.add(
          TEMPLATE
              + "spec.tolerations is not allowed: the operator keeps agents off tainted nodes"
              + " (elastic-agents.kubernetes.allow-tolerations)");
    }
    if (!empty(spec.getEphemeralContainers())) {
      problems.add(forbidden("spec.ephemeralContainers"));
    }
    podSecurityContext(spec.getSecurityContext(), problems);
    List<Volume> volumes = Optional.ofNullable(spec.getVolumes()).orElse(List.of());
    for (int i = 0; i < volumes.size(); i++) {
      volume("spec.volumes[" + i + "]", volumes.get(i), problems);
    }
    containers("spec.containers", spec.getContainers(), spec, problems);
    containers("spec.initContainers", spec.getInitContainers(), spec, problems);
    if (level == PodSecurityLevel.RESTRICTED) {
      boolean podNonRoot =
          spec.getSecurityContext() != null
              && Boolean.TRUE.equals(spec.getSecurityContext().getRunAsNonRoot());
      boolean podSeccomp =
          spec.getSecurityContext() != null
              && spec.getSecurityContext().getSeccompProfile() != null;
      List<Container> all = allContainers(spec);
      if (!podNonRoot
          && all.stream()
              .anyMatch(
                  c ->
                      c.getSecurityContext() == null
                          || !Boolean.TRUE.equals(c.getSecurityContext().getRunAsNonRoot()))) {
        problems.add(forbidden("spec.securityContext.runAsNonRoot", "not true"));
      }
      if (!podSeccomp
          && all.stream()
              .anyMatch(
                  c ->
                      c.getSecurityContext() == null
                          || c.getSecurityContext().getSeccompProfile() == null)) {
        problems.add(forbidden("spec.securityContext.seccompProfile", "not set"));
      }
    }
  }

  private void podSecurityContext(PodSecurityContext context, List<String> problems) {
    if (context == null) {
      return;
    }
    String path = "spec.securityContext";
    seLinux(path, context.getSeLinuxOptions(), problems);
    seccomp(path, context.getSeccompProfile(), problems);
    if (context.getAppArmorProfile() != null
        && "Unconfined".equals(context.getAppArmorProfile().getType())) {
      problems.add(forbidden(path + ".appArmorProfile.type", "Unconfined"));
    }
    if (context.getWindowsOptions() != null
        && Boolean.TRUE.equals(context.getWindowsOptions().getHostProcess())) {
      problems.add(forbidden(path + ".windowsOptions.hostProcess"));
    }
    List<Sysctl> sysctls = Optional.ofNullable(context.getSysctls()).orElse(List.of());
    for (int i = 0; i < sysctls.size(); i++) {
      if (!SAFE_SYSCTLS.contains(sysctls.get(i).getName())) {
        problems.add(forbidden(path + ".sysctls[" + i + "].name", sysctls.get(i).getName()));
      }
    }
    if (level == PodSecurityLevel.RESTRICTED) {
      if (Boolean.FALSE.equals(context.getRunAsNonRoot())) {
        problems.add(forbidden(path + ".runAsNonRoot", "false"));
      }
      if (Long.valueOf(0).equals(context.getRunAsUser())) {
        problems.add(forbidden(path + ".runAsUser", "0"));
      }
    }
  }

  private void volume(String path, Volume volume, List<String> problems) {
    if (volume.getHostPath() != null) {
      problems.add(forbidden(path + ".hostPath"));
    }
    if (level == PodSecurityLevel.RESTRICTED) {
      @SuppressWarnings("unchecked")
      Map<String, Object> fields = JSON.convertValue(volume, Map.class);
      new TreeSet<>(fields.keySet())
          .stream()
              .filter(type -> !type.equals("name") && !type.equals("hostPath"))
              .filter(type -> !RESTRICTED_VOLUMES.contains(type))
              .forEach(type -> problems.add(forbidden(path + "." + type)));
    }
    if (volume.getProjected() != null && !settings.automountServiceAccountToken()) {
      List<VolumeProjection> sources =
          Optional.ofNullable(volume.getProjected().getSources()).orElse(List.of());
      for (int i = 0; i < sources.size(); i++) {
        if (sources.get(i).getServiceAccountToken() != null) {
          problems.add(
              TEMPLATE
                  + path
                  + ".projected.sources["
                  + i
                  + "].serviceAccountToken is not allowed: the operator keeps service account"
                  + " tokens out of agent pods"
                  + " (elastic-agents.kubernetes.automount-service-account-token)");
        }
      }
    }
  }

  private void containers(
      String path, List<Container> containers, PodSpec spec, List<String> problems) {
    List<Container> all = Optional.ofNullable(containers).orElse(List.of());
    for (int i = 0; i < all.size(); i++) {
      container(path + "[" + i + "]", all.get(i), problems);
    }
  }

  private void container(String path, Container container, List<String> problems) {
    List<ContainerPort> ports = Optional.ofNullable(container.getPorts()).orElse(List.of());
    for (int i = 0; i < ports.size(); i++) {
      Integer hostPort = ports.get(i).getHostPort();
      if (hostPort != null && hostPort != 0) {
        problems.add(forbidden(path + ".ports[" + i + "].hostPort", String.valueOf(hostPort)));
      }
    }
    SecurityContext context = container.getSecurityContext();
    if (context == null) {
      return;
    }
    String at = path + ".securityContext";
    if (Boolean.TRUE.equals(context.getPrivileged())) {
      problems.add(forbidden(at + ".privileged"));
    }
    if (context.getProcMount() != null && !"Default".equals(context.getProcMount())) {
      problems.add(forbidden(at + ".procMount", context.getProcMount()));
    }
    seLinux(at, context.getSeLinuxOptions(), problems);
    seccomp(at, context.getSeccompProfile(), problems);
    if (context.getAppArmorProfile() != null
        && "Unconfined".equals(context.getAppArmorProfile().getType())) {
      problems.add(forbidden(at + ".appArmorProfile.type", "Unconfined"));
    }
    if (context.getWindowsOptions() != null
        && Boolean.TRUE.equals(context.getWindowsOptions().getHostProcess())) {
      problems.add(forbidden(at + ".windowsOptions.hostProcess"));
    }
    Capabilities capabilities = context.getCapabilities();
    List<String> added =
        capabilities == null || capabilities.getAdd() == null ? List.of() : capabilities.getAdd();
    for (int i = 0; i < added.size(); i++) {
      String capability = added.get(i);
      boolean allowed =
          level == PodSecurityLevel.RESTRICTED
              ? "NET_BIND_SERVICE".equals(capability)
              : BASELINE_CAPABILITIES.contains(capability);
      if (!allowed) {
        problems.add(forbidden(at + ".capabilities.add[" + i + "]", capability));
      }
    }
    if (level == PodSecurityLevel.RESTRICTED) {
      if (!Boolean.FALSE.equals(context.getAllowPrivilegeEscalation())) {
        problems.add(forbidden(at + ".allowPrivilegeEscalation", "not false"));
      }
      if (Boolean.FALSE.equals(context.getRunAsNonRoot())) {
        problems.add(forbidden(at + ".runAsNonRoot", "false"));
      }
      if (Long.valueOf(0).equals(context.getRunAsUser())) {
        problems.add(forbidden(at + ".runAsUser", "0"));
      }
      if (capabilities == null
          || capabilities.getDrop() == null
          || !capabilities.getDrop().contains("ALL")) {
        problems.add(forbidden(at + ".capabilities.drop", "without ALL"));
      }
    }
  }

  private void seLinux(String path, SELinuxOptions options, List<String> problems) {
    if (options == null) {
      return;
    }
    if (present(options.getType()) && !SELINUX_TYPES.contains(options.getType())) {
      problems.add(forbidden(path + ".seLinuxOptions.type", options.getType()));
    }
    if (present(options.getUser())) {
      problems.add(forbidden(path + ".seLinuxOptions.user", options.getUser()));
    }
    if (present(options.getRole())) {
      problems.add(forbidden(path + ".seLinuxOptions.role", options.getRole()));
    }
  }

  private void seccomp(String path, SeccompProfile profile, List<String> problems) {
    if (profile == null || profile.getType() == null) {
      return;
    }
    boolean allowed =
        level == PodSecurityLevel.RESTRICTED
            ? Set.of("RuntimeDefault", "Localhost").contains(profile.getType())
            : !"Unconfined".equals(profile.getType());
    if (!allowed) {
      problems.add(forbidden(path + ".seccompProfile.type", profile.getType()));
    }
  }

  /** Secrets the template mounts or reads: only those the operator lists. */
  private void secretReferences(PodSpec spec, List<String> problems) {
    List<Volume> volumes = Optional.ofNullable(spec.getVolumes()).orElse(List.of());
    for (int i = 0; i < volumes.size(); i++) {
      Volume volume = volumes.get(i);
      String path = "spec.volumes[" + i + "]";
      if (volume.getSecret() != null) {
        secret(path + ".secret.secretName", volume.getSecret().getSecretName(), problems);
      }
      if (volume.getProjected() != null && volume.getProjected().getSources() != null) {
        List<VolumeProjection> sources = volume.getProjected().getSources();
        for (int j = 0; j < sources.size(); j++) {
          if (sources.get(j).getSecret() != null) {
            secret(
                path + ".projected.sources[" + j + "].secret.name",
                sources.get(j).getSecret().getName(),
                problems);
          }
        }
      }
    }
    secretsOf("spec.containers", spec.getContainers(), problems);
    secretsOf("spec.initContainers", spec.getInitContainers(), problems);
  }

  private void secretsOf(String path, List<Container> containers, List<String> problems) {
    List<Container> all = Optional.ofNullable(containers).orElse(List.of());
    for (int i = 0; i < all.size(); i++) {
      String at = path + "[" + i + "]";
      List<EnvVar> env = Optional.ofNullable(all.get(i).getEnv()).orElse(List.of());
      for (int j = 0; j < env.size(); j++) {
        EnvVar variable = env.get(j);
        if (variable.getValueFrom() != null && variable.getValueFrom().getSecretKeyRef() != null) {
          secret(
              at + ".env[" + j + "].valueFrom.secretKeyRef.name",
              variable.getValueFrom().getSecretKeyRef().getName(),
              problems);
        }
      }
      List<EnvFromSource> envFrom = Optional.ofNullable(all.get(i).getEnvFrom()).orElse(List.of());
      for (int j = 0; j < envFrom.size(); j++) {
        if (envFrom.get(j).getSecretRef() != null) {
          secret(
              at + ".envFrom[" + j + "].secretRef.name",
              envFrom.get(j).getSecretRef().getName(),
              problems);
        }
      }
    }
  }

  private void secret(String path, String name, List<String> problems) {
    if (!settings.allowedSecretVolumes().contains(name)) {
      problems.add(
          TEMPLATE
              + path
              + " ("
              + name
              + ") is not allowed: the operator allows "
              + (settings.allowedSecretVolumes().isEmpty()
                  ? "no Secret"
                  : "the Secrets " + String.join(", ", settings.allowedSecretVolumes()))
              + " (elastic-agents.kubernetes.allowed-secret-volumes)");
    }
  }

  private void serviceAccount(AgentProfile profile, PodSpec spec, List<String> problems) {
    boolean fromProfile = present(profile.properties().get(SERVICE_ACCOUNT));
    String field = fromProfile ? SERVICE_ACCOUNT + ": " : TEMPLATE + "spec.serviceAccountName: ";
    Set<String> named = new TreeSet<>();
    named.add(present(spec.getServiceAccountName()) ? spec.getServiceAccountName() : "default");
    // The deprecated alias names an account as well; the API server takes either.
    if (present(spec.getServiceAccount())) {
      named.add(spec.getServiceAccount());
    }
    for (String account : named) {
      if (account.equals(settings.serviceAccount())) {
        problems.add(
            field + "'" + account + "' is not allowed: it is the service's own service account");
      } else if (!settings.allowedServiceAccounts().contains(account)) {
        problems.add(
            field
                + "'"
                + account
                + "' is not allowed: the operator allows the service accounts "
                + String.join(", ", settings.allowedServiceAccounts())
                + " (elastic-agents.kubernetes.allowed-service-accounts)");
      }
    }
  }

  private static List<Container> allContainers(PodSpec spec) {
    List<Container> all = new ArrayList<>();
    Optional.ofNullable(spec.getContainers()).ifPresent(all::addAll);
    Optional.ofNullable(spec.getInitContainers()).ifPresent(all::addAll);
    return all;
  }

  private String forbidden(String path) {
    return TEMPLATE + path + " is not allowed by the " + level + " pod security level";
  }

  private String forbidden(String path, String value) {
    return TEMPLATE
        + path
        + " ("
        + value
        + ") is not allowed by the "
        + level
        + " pod security level";
  }

  private static boolean present(String value) {
    return value != null && !value.isBlank();
  }

  private static boolean empty(List<?> values) {
    return values == null || values.isEmpty();
  }
}
