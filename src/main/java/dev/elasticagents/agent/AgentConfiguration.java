package dev.elasticagents.agent;

import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The handlers that release agents, and the clock of the domain.
 */
@Configuration(proxyBeanMethods = false)
class AgentConfiguration {

  @Bean
  ReleaseAgentHandler jobCompletionHandler(AgentLifecycle lifecycle) {
    return new ReleaseAgentHandler(ReleaseAgentHandler.JOB_COMPLETION, ReleaseRequest.Cause.JOB_COMPLETED, lifecycle);
  }

  @Bean
  ReleaseAgentHandler terminateAgentHandler(AgentLifecycle lifecycle) {
    return new ReleaseAgentHandler(ReleaseAgentHandler.TERMINATE_AGENT, ReleaseRequest.Cause.BUILD_OVERRAN, lifecycle);
  }

  @Bean
  @ConditionalOnMissingBean
  Clock clock() {
    return Clock.systemUTC();
  }
}
