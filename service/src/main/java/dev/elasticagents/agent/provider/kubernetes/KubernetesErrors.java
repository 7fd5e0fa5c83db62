package dev.elasticagents.agent.provider.kubernetes;

import dev.elasticagents.runtime.InvalidJobVariablesException;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.function.Supplier;

/**
 * What the API server's refusals mean for the job that asked: a refused permission fails the job
 * for a retry with one message naming what the service may not do; a pod the server refuses (409
 * other than "already exists", 422) fails it with an incident naming the field; anything else (5xx,
 * timeouts) fails it for a retry.
 */
final class KubernetesErrors {

  private final String namespace;

  KubernetesErrors(String namespace) {
    this.namespace = namespace;
  }

  <T> T call(String action, Supplier<T> call) {
    try {
      return call.get();
    } catch (KubernetesClientException e) {
      throw translated(action, e);
    }
  }

  private RuntimeException translated(String action, KubernetesClientException e) {
    int code = e.getCode();
    // A conflict on a create is an object of that name that exists (reason AlreadyExists).
    if (code == 409 && action.startsWith("create")) {
      return new AlreadyExists(e);
    }
    if (code == 401 || code == 403) {
      return new IllegalStateException(
          "Kubernetes refused to %s in namespace '%s' (HTTP %d): the service's account needs the Role of deploy/kubernetes/base/rbac.yaml (pods: get, list, watch, create, delete; secrets: get, create, delete)"
              .formatted(action, namespace, code),
          e);
    }
    if (code == 409 || code == 422) {
      return new InvalidJobVariablesException(
          List.of(
              "Kubernetes refused the agent's pod (HTTP %d): %s".formatted(code, printable(e))));
    }
    return new IllegalStateException(
        "Kubernetes could not %s in namespace '%s' (%s); the job is tried again"
            .formatted(action, namespace, code > 0 ? "HTTP " + code : printable(e)),
        e);
  }

  private static String printable(KubernetesClientException e) {
    String message =
        e.getStatus() != null && e.getStatus().getMessage() != null
            ? e.getStatus().getMessage()
            : String.valueOf(e.getMessage());
    String line = message.replaceAll("\\p{Cntrl}", " ");
    return line.length() <= 300 ? line : line.substring(0, 300) + "...";
  }

  /** The object exists already: after a retried launch, it is likely this agent's own. */
  static final class AlreadyExists extends RuntimeException {
    AlreadyExists(KubernetesClientException cause) {
      super(cause.getMessage(), cause);
    }
  }
}
