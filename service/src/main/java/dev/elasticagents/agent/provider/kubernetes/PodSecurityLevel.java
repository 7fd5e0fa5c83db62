package dev.elasticagents.agent.provider.kubernetes;

import java.util.Locale;

/**
 * The Pod Security Standards level every agent pod is checked against before its agent is reserved:
 * the operator's, never the profile's. Privileged is no choice: an agent pod that can reach its
 * node can reach every other agent's secrets.
 */
public enum PodSecurityLevel {
  /** Refuses the known privilege escalations: host namespaces, privileged, host paths, ... */
  BASELINE,
  /** Baseline, and the pod hardened: non-root, no capabilities, seccomp, limited volume types. */
  RESTRICTED;

  /** The level's name as the Pod Security Standards write it. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
