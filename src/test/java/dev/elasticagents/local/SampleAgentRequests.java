package dev.elasticagents.local;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.camunda.client.CamundaClient;
import io.camunda.client.api.response.ProcessInstanceEvent;
import io.camunda.client.api.response.ProcessInstanceResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/** Feeds a few sample GoCD requests into the local service once it has started. */
@TestConfiguration(proxyBeanMethods = false)
class SampleAgentRequests {

  private static final Logger log = LoggerFactory.getLogger(SampleAgentRequests.class);
  private static final String PROCESS = "elastic-agent-lifecycle";

  @Bean
  @Order(Ordered.LOWEST_PRECEDENCE)
  ApplicationRunner feedSampleRequests(CamundaClient client, ObjectMapper json) {
    return (ApplicationArguments args) -> {
      for (String sample : new String[] {"create-agent-v1.json", "create-agent-v5.json"}) {
        ProcessInstanceResult result =
            client
                .newCreateInstanceCommand()
                .bpmnProcessId(PROCESS)
                .latestVersion()
                .variables(read(json, sample))
                .withResult()
                .fetchVariables("agent_decision", "elastic_agent_id")
                .requestTimeout(Duration.ofSeconds(30))
                .send()
                .join();
        log.info(
            "Sample {}: process instance {} completed with {}",
            sample,
            result.getProcessInstanceKey(),
            result.getVariablesAsMap());
      }
      ProcessInstanceEvent malformed =
          client
              .newCreateInstanceCommand()
              .bpmnProcessId(PROCESS)
              .latestVersion()
              .variables(Map.of("environment", "production", "properties", "not-an-object"))
              .send()
              .join();
      log.info(
          "Sample malformed request: process instance {} stops at an incident that names the bad variables",
          malformed.getProcessInstanceKey());
    };
  }

  private static Map<String, Object> read(ObjectMapper json, String sample) {
    try (InputStream in = SampleAgentRequests.class.getResourceAsStream("/seeds/" + sample)) {
      return json.readValue(in, new TypeReference<>() {});
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read sample " + sample, e);
    }
  }
}
