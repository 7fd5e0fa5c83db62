package dev.elasticagents.runtime;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import io.camunda.client.jobhandling.CamundaClientExecutorService;
import java.util.List;
import org.apache.hc.client5.http.async.AsyncExecChainHandler;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.boot.autoconfigure.jackson.Jackson2ObjectMapperBuilderCustomizer;
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
   * Jackson recycles the buffers of its parsers and generators per thread by default, which virtual
   * threads defeat: each handler runs on a new thread, so reading a job's variables and writing its
   * recorded decision took fresh buffers every time (a sixth of what the service allocated on the
   * job path). One bounded pool serves every thread instead. The Camunda starter's JSON mapper,
   * which reads job variables and writes command bodies, is a copy of this mapper and keeps its
   * pool.
   */
  @Bean
  Jackson2ObjectMapperBuilderCustomizer jsonBuffersSharedAcrossThreads() {
    return json ->
        json.factory(
            JsonFactory.builder().recyclerPool(JsonRecyclerPools.sharedBoundedPool()).build());
  }

  /**
   * The Camunda starter adds every chain handler bean to the REST client's HTTP layer: this one
   * turns off that layer's own retries, so that the problem policy is the only retry layer.
   */
  @Bean
  AsyncExecChainHandler httpClientRetriesOff() {
    return new HttpClientRetriesOff();
  }

  /**
   * The Camunda starter 8.8 also builds the deprecated {@code ZeebeClient} beside the {@code
   * CamundaClient}, with a gRPC channel, an executor and a started HTTP client (its I/O threads) of
   * its own, which the service never uses. The starter has no setting that leaves it out, and it
   * imports that configuration from its own ({@code CamundaAutoConfiguration}), so it cannot be
   * excluded as an auto-configuration either: its bean definitions are dropped before any bean is
   * made. {@code CamundaClientBeansTest} fails should an upgrade bring the client back under other
   * names.
   */
  @Bean
  static BeanDefinitionRegistryPostProcessor deprecatedZeebeClientLeftOut() {
    return registry ->
        DEPRECATED_ZEEBE_CLIENT_BEANS.stream()
            .filter(registry::containsBeanDefinition)
            .forEach(registry::removeBeanDefinition);
  }

  /** The beans of the starter's {@code ZeebeClientProdAutoConfiguration}. */
  private static final List<String> DEPRECATED_ZEEBE_CLIENT_BEANS =
      List.of("zeebeClientConfiguration", "zeebeClient", "zeebeLifecycleEventProducer");
}
