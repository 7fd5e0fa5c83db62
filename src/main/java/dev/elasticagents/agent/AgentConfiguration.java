package dev.elasticagents.agent;

import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The agent provider chosen by {@code elastic-agents.provider}, and the clock of the domain. */
@Configuration(proxyBeanMethods = false)
class AgentConfiguration {

  @Bean
  @ConditionalOnProperty(name = "elastic-agents.provider", havingValue = "local", matchIfMissing = true)
  LocalAgentProvider localAgentProvider(AgentProperties properties) {
    return new LocalAgentProvider(properties.local());
  }

  @Bean
  @ConditionalOnMissingBean
  Clock clock() {
    return Clock.systemUTC();
  }
}
