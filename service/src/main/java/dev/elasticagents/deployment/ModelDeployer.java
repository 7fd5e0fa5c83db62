package dev.elasticagents.deployment;

import io.camunda.client.CamundaClient;
import io.camunda.client.api.command.DeployResourceCommandStep1.DeployResourceCommandStep2;
import io.camunda.client.api.response.BrokerInfo;
import io.camunda.client.api.response.DeploymentEvent;
import io.camunda.client.api.response.Process;
import io.camunda.client.api.response.Topology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.Ordered;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.ResourcePatternResolver;
import org.springframework.stereotype.Component;

/**
 * Deploys the BPMN models when the application starts. Zeebe keeps the version of a model whose
 * content did not change, so deploying on every start is idempotent. A model that needs a newer
 * cluster than the one it would go to (see {@link Model}) is left out, with a warning.
 *
 * <p>The deployment begins in the first lifecycle phase, as soon as the client exists, on a thread
 * of its own: it runs while the web servers start and the workers open, instead of after them, and
 * the service is ready that much sooner. Start-up ends ({@link ApplicationRunner}) once it is done.
 *
 * <p>While the cluster cannot take the models, start-up waits up to {@code deployment.timeout};
 * then the service starts anyway, unready ({@link DeploymentHealthIndicator}), and keeps trying in
 * the background: a cluster outage at start is no reason to exit, and a restart loop would only add
 * load to a cluster that is struggling.
 */
@Component
public class ModelDeployer implements SmartLifecycle, ApplicationRunner, Ordered, DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(ModelDeployer.class);
  private static final Duration FIRST_RETRY_DELAY = Duration.ofMillis(500);
  private static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(10);

  private final CamundaClient client;
  private final DeploymentProperties properties;
  private final ResourcePatternResolver resolver;
  private final DeploymentHealthIndicator health;
  // Completes when the models are deployed, or when start-up's wait for the cluster ran out.
  private CompletableFuture<Void> startUp;
  private volatile Thread background;

  public ModelDeployer(
      CamundaClient client,
      DeploymentProperties properties,
      ResourcePatternResolver resolver,
      DeploymentHealthIndicator health) {
    this.client = client;
    this.properties = properties;
    this.resolver = resolver;
    this.health = health;
  }

  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE;
  }

  /** Begins the deployment, before the web servers start and the workers open. */
  @Override
  public void start() {
    begin();
  }

  @Override
  public int getPhase() {
    return Integer.MIN_VALUE;
  }

  @Override
  public boolean isRunning() {
    Thread running = background;
    return running != null && running.isAlive();
  }

  @Override
  public void stop() {
    destroy();
  }

  /** Ends start-up once the models are deployed, or once its wait for the cluster ran out. */
  @Override
  public void run(ApplicationArguments args) throws InterruptedException {
    try {
      begin().get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException runtime
          ? runtime
          : new IllegalStateException("Model deployment failed", e.getCause());
    }
  }

  private synchronized CompletableFuture<Void> begin() {
    if (startUp != null) {
      return startUp;
    }
    startUp = new CompletableFuture<>();
    if (!properties.enabled()) {
      log.info("Model deployment is disabled");
      health.deployed("none: deployment is disabled");
      startUp.complete(null);
      return startUp;
    }
    Resource[] resources = models();
    if (resources.length == 0) {
      log.warn("No models match '{}': nothing to deploy", properties.resources());
      health.deployed("none: no model matches " + properties.resources());
      startUp.complete(null);
      return startUp;
    }
    List<Model> models = read(resources);
    Instant deadline = Instant.now().plus(properties.timeout());
    CompletableFuture<Void> started = startUp;
    background =
        Thread.ofPlatform()
            .name("model-deployment")
            .daemon()
            .start(() -> deploy(models, deadline, started));
    return startUp;
  }

  /**
   * Deploys until the cluster took the models: within start-up's deadline first, then, unready, in
   * the background without one. The only writer of the deployment's health.
   */
  private void deploy(List<Model> models, Instant deadline, CompletableFuture<Void> started) {
    try {
      try {
        deployAll(models, deadline);
      } catch (DeadlinePassed e) {
        log.warn(
            "{}. The service runs without its models, unready, and keeps trying in the background",
            e.getMessage());
        health.waiting(e.getMessage());
        started.complete(null);
        deployAll(models, Instant.MAX);
      }
      started.complete(null);
    } catch (InterruptedException | DeadlinePassed e) {
      log.info("Model deployment stopped before the cluster took the models");
      started.complete(null);
    } catch (RuntimeException e) {
      // During start-up the runner rethrows it and the start fails; after, only this log tells.
      if (!started.completeExceptionally(e)) {
        log.error("Model deployment stopped before the cluster took the models", e);
      }
    }
  }

  private void deployAll(List<Model> models, Instant deadline)
      throws InterruptedException, DeadlinePassed {
    DeploymentPlan plan =
        withRetries(
            "read the cluster version",
            deadline,
            () -> DeploymentPlan.forCluster(clusterVersion(), models));
    warnAbout(plan);
    if (plan.deployable().isEmpty()) {
      log.warn(
          "No model runs on this cluster version ({}): nothing to deploy", plan.clusterVersion());
      health.deployed("none: no model runs on cluster version " + plan.clusterVersion());
      return;
    }
    DeploymentEvent deployment =
        withRetries(
            "deploy %d model(s)".formatted(plan.deployable().size()),
            deadline,
            () -> deploy(plan.deployable()));
    deployment.getProcesses().stream()
        .sorted(Comparator.comparing(Process::getBpmnProcessId))
        .forEach(
            process ->
                log.info(
                    "Deployed process '{}' version {} from {}",
                    process.getBpmnProcessId(),
                    process.getVersion(),
                    process.getResourceName()));
    health.deployed(
        deployment.getProcesses().stream()
            .map(process -> process.getBpmnProcessId() + " v" + process.getVersion())
            .sorted()
            .toList()
            .toString());
  }

  @Override
  public void destroy() {
    Thread running = background;
    if (running != null) {
      running.interrupt();
    }
  }

  /** Deploys the models that run on the cluster once and returns what the cluster recorded. */
  public DeploymentEvent deploy(Resource[] models) {
    return deploy(plan(models).deployable());
  }

  /** Which of these models run on the cluster as it is now. */
  public DeploymentPlan plan(Resource[] models) {
    return DeploymentPlan.forCluster(clusterVersion(), read(models));
  }

  /** The models that match the configured pattern, in a stable order. */
  public Resource[] models() {
    try {
      List<Resource> models = new ArrayList<>();
      for (String pattern : properties.resources()) {
        models.addAll(Arrays.asList(resolver.getResources(pattern)));
      }
      models.sort(Comparator.comparing(Resource::getFilename));
      return models.toArray(Resource[]::new);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list models at " + properties.resources(), e);
    }
  }

  /**
   * The version of the oldest broker, since every partition must run a model; the gateway's when no
   * broker reports one.
   */
  private String clusterVersion() {
    Topology topology = client.newTopologyRequest().send().join();
    List<String> brokers =
        topology.getBrokers().stream()
            .map(BrokerInfo::getVersion)
            .filter(version -> version != null && !version.isBlank())
            .toList();
    List<String> reported = brokers.isEmpty() ? List.of(topology.getGatewayVersion()) : brokers;
    return reported.stream()
        .filter(version -> CamundaVersion.parse(version).isPresent())
        .min(Comparator.comparing(version -> CamundaVersion.parse(version).orElseThrow()))
        .orElse(String.join(", ", reported));
  }

  private static void warnAbout(DeploymentPlan plan) {
    if (plan.version().isEmpty()) {
      log.warn(
          "Cannot read the cluster version '{}': deploying every model and leaving it to the"
              + " cluster",
          plan.clusterVersion());
    }
    for (Model skipped : plan.skipped()) {
      Model.Requirement requirement = skipped.requirement().orElseThrow();
      log.warn(
          "Not deploying {} on this cluster (version {}): it uses {}, which need Camunda {} or"
              + " later. Process(es) {} are not available until the cluster is upgraded.",
          skipped.filename(),
          plan.clusterVersion(),
          requirement.feature(),
          requirement.minimum(),
          skipped.processIds());
    }
  }

  private DeploymentEvent deploy(List<Model> models) {
    DeployResourceCommandStep2 command = null;
    for (Model model : models) {
      command =
          command == null
              ? client
                  .newDeployResourceCommand()
                  .addResourceBytes(model.content(), model.filename())
              : command.addResourceBytes(model.content(), model.filename());
    }
    return Optional.ofNullable(command)
        .orElseThrow(() -> new IllegalArgumentException("No model to deploy"))
        .send()
        .join();
  }

  private <T> T withRetries(String action, Instant deadline, Supplier<T> attempt)
      throws InterruptedException, DeadlinePassed {
    Duration delay = FIRST_RETRY_DELAY;
    while (true) {
      try {
        return attempt.get();
      } catch (RuntimeException e) {
        if (Instant.now().plus(delay).isAfter(deadline)) {
          throw new DeadlinePassed(
              "Could not %s within %s: %s".formatted(action, properties.timeout(), e.getMessage()));
        }
        log.warn("Cluster not ready to {} ({}), retrying in {}", action, e.getMessage(), delay);
        health.waiting("Could not %s yet: %s".formatted(action, e.getMessage()));
        Thread.sleep(delay);
        delay =
            delay.multipliedBy(2).compareTo(MAX_RETRY_DELAY) > 0
                ? MAX_RETRY_DELAY
                : delay.multipliedBy(2);
      }
    }
  }

  /** The start-up's wait for the cluster ran out; the message says what could not be done. */
  private static final class DeadlinePassed extends Exception {
    DeadlinePassed(String message) {
      super(message, null, false, false);
    }
  }

  private static List<Model> read(Resource[] resources) {
    return Stream.of(resources)
        .map(resource -> Model.read(resource.getFilename(), bytes(resource)))
        .toList();
  }

  private static byte[] bytes(Resource model) {
    try (var in = model.getInputStream()) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read model " + model.getDescription(), e);
    }
  }
}
