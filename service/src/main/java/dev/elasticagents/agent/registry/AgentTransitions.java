package dev.elasticagents.agent.registry;

import dev.elasticagents.agent.Agent;
import dev.elasticagents.agent.AgentState;
import dev.elasticagents.agent.AgentTransition;
import dev.elasticagents.agent.Termination;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The moves of an agent ({@link AgentTransition}), each one compare-and-set in SQL on the agent's
 * id, state and version, with its update count checked: a move decided on a stale read of the agent
 * is refused, counted and logged, rather than undoing what happened in between.
 */
final class AgentTransitions {

  private static final Logger log = LoggerFactory.getLogger(AgentTransitions.class);

  private final JdbcClient jdbc;
  private final Clock clock;
  private final MeterRegistry meters;

  AgentTransitions(JdbcClient jdbc, Clock clock, MeterRegistry meters) {
    this.jdbc = jdbc;
    this.clock = clock;
    this.meters = meters;
  }

  /** The agent with this id as it is now, whatever its state: what a move starts from. */
  Optional<Agent> find(String agentId) {
    return jdbc.sql("select " + AgentRows.COLUMNS + " from agents where id = ?")
        .param(agentId)
        .query(AgentRows::agent)
        .optional();
  }

  /** Keeps an agent whose job finished for another job ({@link AgentTransition#KEEP_IDLE}). */
  boolean keepIdle(Agent observed) {
    Instant now = clock.instant();
    return move(
        observed,
        AgentTransition.KEEP_IDLE,
        ", idle_since = ?, registered_at = coalesce(registered_at, ?), job_key = null",
        AgentRows.timestamp(now),
        AgentRows.timestamp(now));
  }

  /**
   * Gives an idle agent, as read at {@code version}, a job ({@link AgentTransition#REUSE}): the
   * GoCD job it serves (none for a v1 request), the assignment that releases it, and how long that
   * job may keep it.
   */
  boolean reuse(
      String agentId,
      long version,
      Optional<String> jobKey,
      String assignment,
      Duration maxBuildDuration,
      Instant now) {
    return move(
        agentId,
        AgentState.IDLE,
        version,
        AgentTransition.REUSE,
        ", idle_since = null, job_key = ?, assignment = ?, assigned_at = ?, max_build_seconds = ?",
        jobKey.orElse(null),
        assignment,
        AgentRows.timestamp(now),
        maxBuildDuration.toSeconds());
  }

  /**
   * Claims an agent for termination ({@link AgentTransition#CLAIM_TERMINATION}): from now on no
   * request can take it, and only the claimer terminates it.
   *
   * @param claimer the owner scope of the claiming instance
   */
  boolean claimTermination(Agent observed, String claimer, Termination termination) {
    return move(
        observed,
        AgentTransition.CLAIM_TERMINATION,
        ", termination_reason = ?, claimed_by = ?, terminating_since = ?",
        // Only the text is kept: the kind is counted when the termination finishes, and a
        // termination finished by someone else is taken over under a kind of its own.
        AgentRows.abbreviate(termination.reason(), 255),
        claimer,
        AgentRows.timestamp(clock.instant()));
  }

  /**
   * Takes over a termination whose claimer cannot finish it ({@link
   * AgentTransition#TAKE_OVER_TERMINATION}).
   */
  boolean takeOverTermination(Agent observed, String claimer) {
    return move(
        observed,
        AgentTransition.TAKE_OVER_TERMINATION,
        ", claimed_by = ?, terminating_since = ?",
        claimer,
        AgentRows.timestamp(clock.instant()));
  }

  /** Records that the claimer terminated the agent ({@link AgentTransition#FINISH_TERMINATION}). */
  boolean finishTermination(String agentId, String claimer) {
    return counted(
        AgentTransition.FINISH_TERMINATION,
        jdbc.sql(
                    """
                    update agents set state = 'TERMINATED', version = version + 1, terminated_at = ?
                    where id = ? and state = 'TERMINATING' and claimed_by = ?
                    """)
                .params(AgentRows.timestamp(clock.instant()), agentId, claimer)
                .update()
            == 1);
  }

  /** Records that a reservation was launched; false when it was claimed for termination first. */
  boolean markLaunched(String agentId) {
    return jdbc.sql(
                """
                update agents set launched_at = ?, version = version + 1
                where id = ? and state = 'PENDING' and launched_at is null
                """)
            .params(AgentRows.timestamp(clock.instant()), agentId)
            .update()
        == 1;
  }

  /**
   * Records that the GoCD server knows these agents, so they registered: a pending agent becomes
   * busy ({@link AgentTransition#REGISTER}). Returns the agents newly marked.
   */
  List<String> markRegistered(Collection<String> agentIds) {
    java.sql.Timestamp now = AgentRows.timestamp(clock.instant());
    List<String> marked = new ArrayList<>();
    for (String id : agentIds) {
      int updated =
          jdbc.sql(
                  """
                  update agents set registered_at = ?, version = version + 1,
                                    state = case when state = 'PENDING' then 'BUSY' else state end
                  where id = ? and registered_at is null and state in ('PENDING', 'BUSY', 'IDLE')
                  """)
              .params(now, id)
              .update();
      if (updated == 1) {
        marked.add(id);
      }
    }
    return marked;
  }

  private boolean move(Agent observed, AgentTransition transition, String set, Object... values) {
    return move(observed.id(), observed.state(), observed.version(), transition, set, values);
  }

  private boolean move(
      String agentId,
      AgentState state,
      long version,
      AgentTransition transition,
      String set,
      Object... values) {
    if (!transition.allowsFrom(state)) {
      return counted(transition, false);
    }
    List<Object> params = new ArrayList<>();
    params.add(transition.to().name());
    params.addAll(Arrays.asList(values));
    params.add(agentId);
    params.add(state.name());
    params.add(version);
    return counted(
        transition,
        jdbc.sql(
                    "update agents set state = ?, version = version + 1, gocd_idle_since = null"
                        + set
                        + " where id = ? and state = ? and version = ?")
                .params(params)
                .update()
            == 1);
  }

  /** Counts a transition refused because the agent changed since it was read. */
  private boolean counted(AgentTransition transition, boolean done) {
    if (!done) {
      refused(transition);
    }
    return done;
  }

  private void refused(AgentTransition transition) {
    meters
        .counter("elastic.agents.transitions.refused", "transition", transition.metricName())
        .increment();
    log.debug("Refused {}: the agent changed since it was read", transition.metricName());
  }
}
