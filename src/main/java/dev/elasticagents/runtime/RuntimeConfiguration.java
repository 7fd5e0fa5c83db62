package dev.elasticagents.runtime;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Beans of the worker runtime that are not components of their own. */
@Configuration(proxyBeanMethods = false)
class RuntimeConfiguration {

  @Bean
  RetryClock retryClock() {
    return RetryClock.system();
  }
}
