package dev.elasticagents.deployment;

import io.camunda.client.CamundaClient;
import io.camunda.client.api.command.DeployResourceCommandStep1.DeployResourceCommandStep2;
import io.camunda.client.api.response.DeploymentEvent;
import io.camunda.client.api.response.Process;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.Ordered;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.ResourcePatternResolver;
import org.springframework.stereotype.Component;

/**
 * Deploys the BPMN models when the application starts. Zeebe keeps the version of a model whose
 * content did not change, so deploying on every start is idempotent.
 */
@Component
public class ModelDeployer implements ApplicationRunner, Ordered {

  private static final Logger log = LoggerFactory.getLogger(ModelDeployer.class);
  private static final Duration FIRST_RETRY_DELAY = Duration.ofMillis(500);
  private static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(10);

  private final CamundaClient client;
  private final DeploymentProperties properties;
  private final ResourcePatternResolver resolver;

  public ModelDeployer(
      CamundaClient client, DeploymentProperties properties, ResourcePatternResolver resolver) {
    this.client = client;
    this.properties = properties;
    this.resolver = resolver;
  }

  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE;
  }

  @Override
  public void run(ApplicationArguments args) throws InterruptedException {
    if (!properties.enabled()) {
      log.info("Model deployment is disabled");
      return;
    }
    Resource[] models = models();
    if (models.length == 0) {
      log.warn("No models match '{}': nothing to deploy", properties.resources());
      return;
    }
    DeploymentEvent deployment = deployWithRetries(models);
    deployment.getProcesses().stream()
        .sorted(Comparator.comparing(Process::getBpmnProcessId))
        .forEach(
            process ->
                log.info(
                    "Deployed process '{}' version {} from {}",
                    process.getBpmnProcessId(),
                    process.getVersion(),
                    process.getResourceName()));
  }

  /** Deploys the models once and returns what the cluster recorded. */
  public DeploymentEvent deploy(Resource[] models) {
    DeployResourceCommandStep2 command = null;
    for (Resource model : models) {
      byte[] content = read(model);
      command =
          command == null
              ? client.newDeployResourceCommand().addResourceBytes(content, model.getFilename())
              : command.addResourceBytes(content, model.getFilename());
    }
    return command.send().join();
  }

  /** The models that match the configured pattern, in a stable order. */
  public Resource[] models() {
    try {
      Resource[] models = resolver.getResources(properties.resources());
      Arrays.sort(models, Comparator.comparing(Resource::getFilename));
      return models;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list models at " + properties.resources(), e);
    }
  }

  private DeploymentEvent deployWithRetries(Resource[] models) throws InterruptedException {
    Instant deadline = Instant.now().plus(properties.timeout());
    Duration delay = FIRST_RETRY_DELAY;
    while (true) {
      try {
        return deploy(models);
      } catch (RuntimeException e) {
        if (Instant.now().plus(delay).isAfter(deadline)) {
          throw new IllegalStateException(
              "Could not deploy %d model(s) within %s: %s"
                  .formatted(models.length, properties.timeout(), e.getMessage()),
              e);
        }
        log.warn("Cluster not ready for deployment ({}), retrying in {}", e.getMessage(), delay);
        Thread.sleep(delay);
        delay = delay.multipliedBy(2).compareTo(MAX_RETRY_DELAY) > 0 ? MAX_RETRY_DELAY : delay.multipliedBy(2);
      }
    }
  }

  private static byte[] read(Resource model) {
    try (var in = model.getInputStream()) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read model " + model.getDescription(), e);
    }
  }
}
