package dev.elasticagents.local;

import static org.awaitility.Awaitility.await;

import dev.elasticagents.engine.EmbeddedEngine;
import dev.elasticagents.gocd.testing.GoCdBody;
import io.camunda.client.CamundaClient;
import io.camunda.client.api.command.ProblemException;
import io.camunda.zeebe.protocol.record.Record;
import io.camunda.zeebe.protocol.record.ValueType;
import io.camunda.zeebe.protocol.record.intent.UserTaskIntent;
import io.camunda.zeebe.protocol.record.value.UserTaskRecordValue;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays an approver against the local service: one capacity override request whose task is first
 * assigned to someone outside the approver group (the assigning listener denies it) and then to an
 * approver, who approves it (the completing listener lets it through and records the grant). The
 * listeners' decisions reach the engine as job completions over REST with {@code result.denied}.
 */
final class SampleApprovals {

  private static final Logger log = LoggerFactory.getLogger(SampleApprovals.class);
  private static final String PROCESS = "elastic-agent-approval";

  private final EmbeddedEngine engine;
  private final CamundaClient client;

  private SampleApprovals(EmbeddedEngine engine, CamundaClient client) {
    this.engine = engine;
    this.client = client;
  }

  static void playInBackground(EmbeddedEngine engine, CamundaClient client) {
    Thread thread = new Thread(new SampleApprovals(engine, client)::play, "approver");
    thread.setDaemon(true);
    thread.start();
  }

  private void play() {
    try {
      step(
          "a request for job 200 needs a capacity override: it waits for an approver in a user"
              + " task");
      long instance =
          client
              .newCreateInstanceCommand()
              .bpmnProcessId(PROCESS)
              .latestVersion()
              .variables(
                  GoCdBody.createAgent()
                      .without("auto_register_key")
                      .withEnvironment("local")
                      .withElasticAgentProfile(Map.of("image", "gocd/gocd-agent-debian-12:v25.1.0"))
                      .withClusterProfile(Map.of("id", "local", "max_running_agents", "1"))
                      .withJobId(200)
                      .with("approval_candidate_groups", java.util.List.of("agent-approvers"))
                      .toMap())
              .send()
              .join()
              .getProcessInstanceKey();
      long task = awaitUserTask(instance);

      step("mallory, not an approver, is assigned the task: the assigning listener denies it");
      assign(task, "mallory");

      step("alice, an approver, is assigned the task and approves the request");
      assign(task, "alice");
      client.newCompleteUserTaskCommand(task).variables(Map.of("approved", true)).send().join();
      step("done: the override is recorded as a capacity grant for job 200's next create-agent");
    } catch (RuntimeException e) {
      log.warn("The sample approver stopped: {}", e.toString());
    }
  }

  private void assign(long task, String assignee) {
    try {
      client.newAssignUserTaskCommand(task).assignee(assignee).send().join();
    } catch (ProblemException e) {
      step("the engine refused the assignment: " + e.details().getDetail());
    }
  }

  private long awaitUserTask(long instance) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> userTaskOf(instance), Optional::isPresent)
        .orElseThrow();
  }

  private Optional<Long> userTaskOf(long instance) {
    return StreamSupport.stream(engine.records().records().spliterator(), false)
        .filter(record -> record.getValueType() == ValueType.USER_TASK)
        .filter(record -> record.getIntent() == UserTaskIntent.CREATED)
        .filter(
            record -> ((UserTaskRecordValue) record.getValue()).getProcessInstanceKey() == instance)
        .map(Record::getKey)
        .findFirst();
  }

  private static void step(String description) {
    log.info("Approval sample: {}", description);
  }
}
