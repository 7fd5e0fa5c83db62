package dev.elasticagents.deployment;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Which models the service deploys when it starts.
 *
 * @param enabled whether to deploy at all (off when models are deployed by a pipeline)
 * @param resources Spring resource patterns for the models and the forms their user tasks link
 * @param timeout how long to keep trying while the cluster is not reachable yet
 */
@ConfigurationProperties("deployment")
public record DeploymentProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue({"classpath*:bpmn/*.bpmn", "classpath*:bpmn/*.form"}) List<String> resources,
    @DefaultValue("PT2M") Duration timeout) {}
