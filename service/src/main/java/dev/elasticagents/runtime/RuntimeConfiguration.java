package dev.elasticagents.runtime;

import io.camunda.client.jobhandling.CamundaClientExecutorService;
import org.apache.hc.client5.http.async.AsyncExecChainHandler;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Beans of the worker runtime that are not components of their own. */
@Configuration(proxyBeanMethods = false)
class RuntimeConfiguration {

  @Bean
  RetryClock retryClock() {
    return RetryClock.system();
  }

  /**
   * Handlers run on virtual threads, as many at once as the workers have jobs active: a handler
   * that waits (a launch, the registry, a REST call) holds no platform thread, so a burst of jobs
   * is not queued behind a few. The client's own executor would run them on {@code
   * camunda.client.execution-threads} platform threads.
   */
  @Bean
  CamundaClientExecutorService camundaClientExecutorService() {
    return new CamundaClientExecutorService(new VirtualThreadJobExecutor(), true);
  }

  /**
   * The Camunda starter adds every chain handler bean to the REST client's HTTP layer: this one
   * turns off that layer's own retries, so that the problem policy is the only retry layer.
   */
  @Bean
  AsyncExecChainHandler httpClientRetriesOff() {
    return new HttpClientRetriesOff();
  }
}
