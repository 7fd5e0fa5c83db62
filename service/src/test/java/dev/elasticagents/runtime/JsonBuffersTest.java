package dev.elasticagents.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Handlers run on virtual threads, a new one for each job, so the JSON mappers must recycle their
 * buffers across threads rather than per thread.
 */
class JsonBuffersTest {

  private final ApplicationContextRunner context =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class))
          .withUserConfiguration(RuntimeConfiguration.class);

  @Test
  void theApplicationsMapperRecyclesItsBuffersInOnePoolSharedByAllThreads() {
    context.run(
        beans ->
            assertThat(beans.getBean(ObjectMapper.class).getFactory()._getRecyclerPool())
                .isSameAs(JsonRecyclerPools.sharedBoundedPool()));
  }

  @Test
  void aCopyOfItKeepsThePoolAsTheCamundaClientsMapperDoes() {
    // The Camunda starter builds the client's mapper from a copy of the application's
    // (JsonMapperConfiguration: new CamundaObjectMapper(objectMapper.copy())).
    context.run(
        beans ->
            assertThat(beans.getBean(ObjectMapper.class).copy().getFactory()._getRecyclerPool())
                .isSameAs(JsonRecyclerPools.sharedBoundedPool()));
  }
}
