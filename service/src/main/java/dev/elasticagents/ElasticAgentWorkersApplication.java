package dev.elasticagents;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Zeebe job workers that run the lifecycle of elastic CI agents. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class ElasticAgentWorkersApplication {

  public static void main(String[] args) {
    SpringApplication.run(ElasticAgentWorkersApplication.class, args);
  }
}
