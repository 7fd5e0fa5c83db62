package dev.elasticagents.agent.provider.kubernetes;

import dev.elasticagents.agent.AgentProperties;
import dev.elasticagents.agent.AgentTerminations;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The {@code kubernetes} provider, chosen by {@code elastic-agents.provider: kubernetes}. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "elastic-agents.provider", havingValue = "kubernetes")
class KubernetesConfiguration {

  @Bean(destroyMethod = "close")
  KubernetesClient kubernetesClient(KubernetesProperties properties) {
    Config automatic = Config.autoConfigure(null);
    ConfigBuilder config = new ConfigBuilder(automatic);
    if (!properties.apiUrl().isBlank()) {
      config.withMasterUrl(properties.apiUrl());
    }
    if (!properties.namespace().isBlank()) {
      config.withNamespace(properties.namespace());
    }
    if (!properties.token().isBlank()) {
      config.withOauthToken(properties.token());
    }
    if (properties.trustCerts()) {
      config.withTrustCerts(true);
    }
    return new KubernetesClientBuilder().withConfig(config.build()).build();
  }

  @Bean
  KubernetesAgentProvider kubernetesAgentProvider(
      KubernetesClient client, KubernetesProperties properties, AgentProperties agents) {
    return new KubernetesAgentProvider(client, properties, agents.pluginId());
  }

  @Bean
  PodWatcher podWatcher(
      KubernetesClient client,
      KubernetesAgentProvider provider,
      AgentTerminations terminator,
      Clock clock) {
    return new PodWatcher(client, provider, terminator, clock);
  }
}
