package dev.elasticagents.agent.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.elasticagents.agent.CleanupOutcome;
import dev.elasticagents.agent.DecisionKey;
import dev.elasticagents.agent.DecisionOutcome;
import dev.elasticagents.agent.RecordedDecision;
import dev.elasticagents.agent.ReleaseOutcome;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The {@code decisions} table: each job's decision under its {@link DecisionKey}. Called inside the
 * registry's transactions, so a decision is recorded together with its effect or not at all.
 */
final class DecisionLog {

  private static final Logger log = LoggerFactory.getLogger(DecisionLog.class);

  private final JdbcClient jdbc;
  private final MeterRegistry meters;
  private final ObjectMapper json;

  DecisionLog(JdbcClient jdbc, MeterRegistry meters, ObjectMapper json) {
    this.jdbc = jdbc;
    this.meters = meters;
    this.json = json;
  }

  /** A recorded decision given back to its redelivered job: logged and counted as a replay. */
  RecordedDecision replayed(DecisionKey key, RecordedDecision decision) {
    log.info(
        "Replayed decision {}{} for redelivered job {}",
        decision.outcome(),
        decision.agentId().map(id -> " (agent " + id + ")").orElse(""),
        key);
    meters.counter("elastic.agents.decisions.replayed", "type", key.jobType()).increment();
    return decision;
  }

  Optional<RecordedDecision> find(DecisionKey key) {
    return jdbc.sql(
            "select outcome, agent_id, job_key, variables from decisions where decision_key = ?")
        .param(key.value())
        .query((row, number) -> recorded(row))
        .optional();
  }

  /** The decision of a row with the columns of {@code decisions}. */
  RecordedDecision recorded(ResultSet row) throws SQLException {
    return new RecordedDecision(
        outcome(row.getString("outcome")),
        Optional.ofNullable(row.getString("agent_id")),
        Optional.ofNullable(row.getString("job_key")),
        read(row.getString("variables")),
        true);
  }

  /**
   * Records a decision.
   *
   * @throws org.springframework.dao.DuplicateKeyException when the same job decided at the same
   *     time elsewhere; the caller's transaction then rolls back and replays that decision
   */
  void record(DecisionKey key, RecordedDecision decision, Instant now) {
    recordAll(List.of(new Recording(key, decision, now)));
  }

  /** A decision to record under its key. */
  record Recording(DecisionKey key, RecordedDecision decision, Instant decidedAt) {}

  /**
   * Records decisions in one statement, whatever their number: one round trip to the database.
   *
   * @throws org.springframework.dao.DuplicateKeyException as {@link #record} does, for any of them;
   *     none is recorded then
   */
  void recordAll(List<Recording> recordings) {
    List<Object> parameters = new ArrayList<>(recordings.size() * 6);
    for (Recording recording : recordings) {
      parameters.add(recording.key().value());
      parameters.add(recording.decision().outcome().name());
      parameters.add(recording.decision().agentId().orElse(null));
      parameters.add(recording.decision().jobKey().orElse(null));
      parameters.add(write(recording.decision()));
      parameters.add(AgentRows.timestamp(recording.decidedAt()));
    }
    jdbc.sql(
            """
            insert into decisions (decision_key, outcome, agent_id, job_key, variables, decided_at)
            values %s
            """
                .formatted(AgentRows.rows(recordings.size(), "(?, ?, ?, ?, ?, ?)")))
        .params(parameters)
        .update();
  }

  /** Drops a decision that can no longer stand, so that its job decides again. */
  void forget(DecisionKey key) {
    jdbc.sql("delete from decisions where decision_key = ?").param(key.value()).update();
  }

  int purgeBefore(Instant cutoff) {
    return jdbc.sql("delete from decisions where decided_at < ?")
        .param(AgentRows.timestamp(cutoff))
        .update();
  }

  /** The agents that decisions ever gave a GoCD job, oldest first. */
  List<String> agentsAssignedTo(String jobKey) {
    return jdbc.sql(
            """
            select agent_id from decisions
            where job_key = ? and outcome in (?, ?) order by decided_at, decision_key
            """)
        .params(jobKey, DecisionOutcome.CREATED.name(), DecisionOutcome.REUSED.name())
        .query(String.class)
        .list();
  }

  /** The outcomes of the decisions of one job type for a GoCD job, oldest first. */
  List<RecordedDecision.Outcome> outcomesFor(String jobType, String jobKey) {
    return jdbc
        .sql(
            """
            select outcome from decisions
            where job_key = ? and decision_key like ? order by decided_at, decision_key
            """)
        .params(jobKey, jobType + ":%")
        .query(String.class)
        .list()
        .stream()
        .map(DecisionLog::outcome)
        .toList();
  }

  /** The outcome stored as {@code name}: the outcomes of all job types have names of their own. */
  private static RecordedDecision.Outcome outcome(String name) {
    return Stream.<RecordedDecision.Outcome[]>of(
            DecisionOutcome.values(), ReleaseOutcome.values(), CleanupOutcome.values())
        .flatMap(Arrays::stream)
        .filter(outcome -> outcome.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("Unknown recorded outcome " + name));
  }

  private String write(RecordedDecision decision) {
    try {
      return json.writeValueAsString(decision.variables());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Decision variables must be plain JSON values", e);
    }
  }

  private LinkedHashMap<String, Object> read(String variables) {
    try {
      return json.readValue(variables, new TypeReference<>() {});
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A recorded decision is not valid JSON", e);
    }
  }
}
