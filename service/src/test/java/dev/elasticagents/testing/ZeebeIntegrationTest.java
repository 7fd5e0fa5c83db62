package dev.elasticagents.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ContextConfiguration;

/**
 * The whole service against the shared embedded engine. Every test class with this annotation
 * shares one application context, so only one set of workers competes for jobs. REST calls to the
 * cluster pass through a recording proxy, {@link RestRecorder}. A {@link VariableProbe} handler of
 * the tests' own job type sits beside the service's handlers.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@AutoConfigureObservability
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      // The tests read the components of the health endpoint; by default only the status shows.
      "management.endpoint.health.show-details=always",
      "job-workers.job-types.policy-conflict-fails.problem-policy.invalid-state=fail",
      "spring.datasource.url=jdbc:h2:mem:registry;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1",
      "elastic-agents.local.work-directory=target/test-agents",
      "gocd-endpoint.token=" + ZeebeIntegrationTest.GOCD_ENDPOINT_TOKEN,
      "elastic-agents.local.stop-agents-on-shutdown=true",
      "elastic-agents.cluster-defaults.max-running-agents=100",
      "elastic-agents.cluster-defaults.max-pending-agents=100",
      "elastic-agents.capacity-ceilings.max-running-agents=100",
      "elastic-agents.capacity-ceilings.max-pending-agents=100",
      // Each test runs under a cluster profile id of its own, all on one shared registry.
      "elastic-agents.cluster-profiles.max-tracked=100000",
      "elastic-agents.decline-retry-after=PT1S",
      "elastic-agents.decline-retries=5",
      // Lost job-completions are repaired from two server-pings this far apart, not two minutes.
      "elastic-agents.completion-repair-grace=PT2S",
      // Completions the tests lose run out of attempts fast and come back soon.
      "job-workers.job-types.create-agent.problem-policy.retry.max-attempts=2",
      "job-workers.job-types.create-agent.problem-policy.retry.initial-backoff=PT0.05S",
      "job-workers.job-types.create-agent.problem-policy.retry.redelivery-backoff=PT0.5S",
      "job-workers.job-types.job-completion.problem-policy.retry.max-attempts=2",
      "job-workers.job-types.job-completion.problem-policy.retry.initial-backoff=PT0.05S",
      "job-workers.job-types.job-completion.problem-policy.retry.redelivery-backoff=PT1S"
    })
@ContextConfiguration(initializers = LocalZeebeInitializer.class)
@Import(VariableProbe.Configuration.class)
public @interface ZeebeIntegrationTest {

  /** The token the GoCD plugin of the tests sends to the service's GoCD endpoint. */
  String GOCD_ENDPOINT_TOKEN = "gocd-endpoint-token-of-the-tests";
}
