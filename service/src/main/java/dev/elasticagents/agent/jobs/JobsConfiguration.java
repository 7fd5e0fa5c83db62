package dev.elasticagents.agent.jobs;

import dev.elasticagents.agent.ReleaseRequest;
import dev.elasticagents.agent.lifecycle.AgentLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The handlers that release agents: one class, a bean for each job type. */
@Configuration(proxyBeanMethods = false)
class JobsConfiguration {

  @Bean
  ReleaseAgentHandler jobCompletionHandler(AgentLifecycle lifecycle) {
    return new ReleaseAgentHandler(
        ReleaseAgentHandler.JOB_COMPLETION, ReleaseRequest.Cause.JOB_COMPLETED, lifecycle);
  }

  @Bean
  ReleaseAgentHandler terminateAgentHandler(AgentLifecycle lifecycle) {
    return new ReleaseAgentHandler(
        ReleaseAgentHandler.TERMINATE_AGENT, ReleaseRequest.Cause.BUILD_OVERRAN, lifecycle);
  }
}
