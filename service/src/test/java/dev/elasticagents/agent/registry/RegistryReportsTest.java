package dev.elasticagents.agent.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.elasticagents.agent.CreateAgentRequest;
import dev.elasticagents.agent.DecisionOutcome;
import dev.elasticagents.agent.Termination;
import dev.elasticagents.agent.TerminationKind;
import dev.elasticagents.agent.registry.RegistryReports.AgentEvent;
import dev.elasticagents.agent.registry.RegistryReports.AgentInstructions;
import dev.elasticagents.agent.registry.RegistryReports.UnresolvedDecline;
import dev.elasticagents.testing.AgentServices;
import dev.elasticagents.testing.RecordingAgentProvider;
import dev.elasticagents.testing.RegistryDatabases;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.simple.JdbcClient;

/** What the registry tells the GoCD server, on real PostgreSQL and on H2. */
class RegistryReportsTest {

  private static final DataSource POSTGRES = RegistryDatabases.newPostgresDatabase();
  private static final DataSource H2 = RegistryDatabases.newH2Database();
  private static final AtomicInteger JOB_IDS = new AtomicInteger(80_000);

  static Stream<Arguments> databases() {
    return Stream.of(Arguments.of("PostgreSQL", POSTGRES), Arguments.of("H2", H2));
  }

  private final String cluster = "cluster-" + UUID.randomUUID();

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void tellsGoCdToDisableAgentsBeingTerminatedAndDeleteTerminatedAndUnknownOnes(
      String name, DataSource database) {
    AgentServices services = services(database, 10);
    String live = services.created(request());
    String terminating = services.terminatingElsewhere(request());
    String terminated = services.terminated(request());
    String unknown = "GoCD" + UUID.randomUUID().toString().replace("-", "");

    AgentInstructions instructions =
        reports(database).instructionsFor(List.of(live, terminating, terminated, unknown));

    assertThat(instructions.disable()).containsExactly(terminating);
    assertThat(instructions.delete()).containsExactly(terminated, unknown);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void answersForMoreAgentsThanOneQueryNames(String name, DataSource database) {
    AgentServices services = services(database, 10);
    String terminating = services.created(request());
    services.registry.claimTermination(
        services.agent(terminating),
        "someone-else",
        new Termination(TerminationKind.OTHER, "test"));
    String live = services.created(request());
    List<String> unknown = IntStream.range(0, 1200).mapToObj(i -> "gocd-unknown-" + i).toList();
    List<String> listed = new ArrayList<>(unknown);
    listed.add(700, terminating);
    listed.add(live);

    AgentInstructions instructions = reports(database).instructionsFor(listed);

    assertThat(instructions.disable()).containsExactly(terminating);
    assertThat(instructions.delete()).containsExactlyElementsOf(unknown);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void reportsDeclinesWhoseJobsStillWaitUntilTheyGetAnAgent(String name, DataSource database) {
    AgentServices services = services(database, 1);
    String running = services.created(request());
    CreateAgentRequest waiting = request();
    assertThat(services.lifecycle.createAgent(waiting, AgentServices.createAgentJob()).outcome())
        .isEqualTo(DecisionOutcome.DECLINED);
    assertThat(services.lifecycle.createAgent(waiting, AgentServices.createAgentJob()).outcome())
        .isEqualTo(DecisionOutcome.DECLINED);

    List<UnresolvedDecline> declines = reports(database).unresolvedDeclines(Duration.ofMinutes(5));

    assertThat(declines)
        .filteredOn(decline -> decline.reason().contains(cluster))
        .singleElement()
        .satisfies(
            decline -> {
              assertThat(decline.declines()).isEqualTo(2);
              assertThat(decline.reason())
                  .isEqualTo(
                      "cluster profile '%s' is at its maximum of 1 running agents"
                          .formatted(cluster));
            });

    services.terminator.terminate(
        services.agent(running), new Termination(TerminationKind.OTHER, "test"));
    String agent =
        services
            .lifecycle
            .createAgent(waiting, AgentServices.createAgentJob())
            .agentId()
            .orElseThrow();
    assertThat(reports(database).unresolvedDeclines(Duration.ofMinutes(5)))
        .noneMatch(decline -> decline.reason().contains(cluster));

    services.terminator.terminate(
        services.agent(agent), new Termination(TerminationKind.OTHER, "its job is done"));
    assertThat(reports(database).unresolvedDeclines(Duration.ofMinutes(5)))
        .as("a resolved decline stays resolved when the job's agent ends")
        .noneMatch(decline -> decline.reason().contains(cluster));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void listsTheAgentsOfAClusterProfileLiveOnesFirstWithTheirJobAndReason(
      String name, DataSource database) {
    AgentServices services = services(database, 10);
    CreateAgentRequest request = request();
    CreateAgentRequest earlier = request();
    String terminated = services.created(earlier);
    services.terminator.terminate(
        services.agent(terminated),
        new Termination(TerminationKind.NEVER_REGISTERED, "never registered within PT10M"));
    String live = services.created(request);

    assertThat(reports(database).agentsOf(cluster, 10))
        .extracting(
            summary ->
                summary.id()
                    + " "
                    + summary.state()
                    + " "
                    + summary.job().orElse("-")
                    + " "
                    + summary.reason().orElse("-"))
        .containsExactly(
            live + " PENDING " + request.jobIdentifier().orElseThrow().locator() + " -",
            terminated
                + " TERMINATED "
                + earlier.jobIdentifier().orElseThrow().locator()
                + " never registered within PT10M");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void tellsWhatHappenedToAnAgentInOrder(String name, DataSource database) {
    AgentServices services = services(database, 10);
    CreateAgentRequest request = request();
    String agent = services.created(request);
    services.registry.markRegistered(List.of(agent));
    services.jobCompleted(agent, request);

    List<AgentEvent> events = reports(database).eventsOf(agent, 50);

    assertThat(events)
        .extracting(AgentEvent::what)
        .contains(
            "reserved for " + cluster, "registered with the GoCD server", "idle, kept for reuse")
        .anyMatch(what -> what.startsWith("decision CREATED by create-agent:"))
        .anyMatch(what -> what.startsWith("decision KEPT by job-completion:"));
    assertThat(events).isSortedAccordingTo(java.util.Comparator.comparing(AgentEvent::at));
  }

  private RegistryReports reports(DataSource database) {
    return new RegistryReports(JdbcClient.create(database), Clock.systemUTC(), new ObjectMapper());
  }

  private AgentServices services(DataSource database, int maxRunning) {
    return new AgentServices(
        database,
        new RecordingAgentProvider(),
        Clock.systemUTC(),
        AgentServices.properties(maxRunning, 10));
  }

  private CreateAgentRequest request() {
    return AgentServices.request(cluster, JOB_IDS.incrementAndGet(), Map.of());
  }
}
