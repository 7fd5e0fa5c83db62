package dev.elasticagents.gocd.plugin;

import dev.elasticagents.gocd.profile.ClusterProfileProperties;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The plugin's current server-health messages. GoCD replaces all of a plugin's messages with each
 * submission, so this keeps the whole set: the messages of each service's last server-ping answer,
 * a warning for each service whose last call failed, and a warning for each service in use over
 * plain http. It is only a cache: after a restart the next calls rebuild it.
 */
final class HealthMessages {

  private static final int MAX_MESSAGE_LENGTH = 1000;

  private final GoServer server;
  private final Map<ServiceTarget, List<HealthMessage>> reported = new LinkedHashMap<>();
  private final Map<ServiceTarget, String> failures = new LinkedHashMap<>();
  private final Set<ServiceTarget> plainHttp = new LinkedHashSet<>();
  private List<HealthMessage> submitted = List.of();
  private boolean submitting;

  HealthMessages(GoServer server) {
    this.server = server;
  }

  /** Records the outcome of one call to a service. */
  void record(ServiceTarget target, ServiceAnswer answer) {
    synchronized (this) {
      recordWithoutSubmitting(target, answer);
    }
    submitChanges();
  }

  /**
   * Records a server-ping: the services it reached, their answers and the messages they reported.
   * Services no cluster profile names any longer are forgotten. The changes go to GoCD as one set.
   */
  void recordPing(
      Map<ServiceTarget, ServiceAnswer> answers, Map<ServiceTarget, List<HealthMessage>> messages) {
    synchronized (this) {
      reported.keySet().retainAll(answers.keySet());
      failures.keySet().retainAll(answers.keySet());
      plainHttp.retainAll(answers.keySet());
      answers.forEach(this::recordWithoutSubmitting);
      messages.forEach((target, list) -> reported.put(target, List.copyOf(list)));
    }
    submitChanges();
  }

  synchronized List<HealthMessage> current() {
    LinkedHashSet<HealthMessage> current = new LinkedHashSet<>();
    reported.forEach(
        (target, list) ->
            list.forEach(
                message ->
                    current.add(
                        new HealthMessage(
                            "error".equals(message.type()) ? "error" : "warning",
                            Text.safe(
                                String.valueOf(message.message()), target, MAX_MESSAGE_LENGTH)))));
    failures.forEach(
        (target, reason) ->
            current.add(
                HealthMessage.warning(
                    Text.safe(
                        "Elastic agent service at "
                            + target.url()
                            + " cannot be reached: "
                            + reason,
                        target,
                        MAX_MESSAGE_LENGTH))));
    plainHttp.forEach(
        target ->
            current.add(
                HealthMessage.warning(
                    Text.safe(
                        "Elastic agent service at "
                            + target.url()
                            + " is used over plain http ("
                            + ClusterProfileProperties.ALLOW_INSECURE_HTTP
                            + "): its token and the agents' auto-register keys cross the network"
                            + " unencrypted. Serve it over https.",
                        target,
                        MAX_MESSAGE_LENGTH))));
    return List.copyOf(current);
  }

  private void recordWithoutSubmitting(ServiceTarget target, ServiceAnswer answer) {
    if (target.warnsOfPlainHttp()) {
      plainHttp.add(target);
    }
    if (answer.serviceFailed()) {
      failures.put(target, answer.failure());
    } else {
      failures.remove(target);
    }
  }

  /**
   * Hands GoCD the current set unless GoCD has it already. GoCD is called outside the lock, so a
   * slow GoCD holds up no other caller; one thread submits at a time, so GoCD never gets an older
   * set after a newer one, and it submits again whatever changed while it waited. The others return
   * at once. A set GoCD did not take is retried with the next call.
   */
  private void submitChanges() {
    List<HealthMessage> next;
    synchronized (this) {
      if (submitting) {
        return;
      }
      next = current();
      if (next.equals(submitted)) {
        return;
      }
      submitting = true;
    }
    while (true) {
      boolean taken;
      try {
        taken = server.replaceHealthMessages(new ArrayList<>(next));
      } catch (RuntimeException | Error e) {
        synchronized (this) {
          submitting = false;
        }
        throw e;
      }
      synchronized (this) {
        if (taken) {
          submitted = next;
        }
        List<HealthMessage> latest = current();
        if (!taken || latest.equals(submitted)) {
          submitting = false;
          return;
        }
        next = latest;
      }
    }
  }
}
