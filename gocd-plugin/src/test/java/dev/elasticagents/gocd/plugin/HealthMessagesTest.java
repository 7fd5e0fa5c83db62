package dev.elasticagents.gocd.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.thoughtworks.go.plugin.api.GoApplicationAccessor;
import com.thoughtworks.go.plugin.api.GoPluginIdentifier;
import com.thoughtworks.go.plugin.api.request.GoApiRequest;
import com.thoughtworks.go.plugin.api.response.DefaultGoApiResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The health cache while GoCD is slow to take a submission: nobody waits on GoCD but its caller.
 */
class HealthMessagesTest {

  private static final long WAIT_SECONDS = 5;

  private final GoApplicationAccessor accessor = mock(GoApplicationAccessor.class);
  private final List<String> submissions = new CopyOnWriteArrayList<>();
  private final CountDownLatch firstSubmissionStarted = new CountDownLatch(1);
  private final CountDownLatch gocdAnswers = new CountDownLatch(1);
  private final ExecutorService callers = Executors.newFixedThreadPool(2);
  private final HealthMessages health =
      new HealthMessages(
          new GoServer(accessor, new GoPluginIdentifier("elastic-agent", List.of("5.0"))));

  private final ServiceTarget first =
      ServiceTarget.of(GoCd.clusterProfile("https://first.example.com"));
  private final ServiceTarget second =
      ServiceTarget.of(GoCd.clusterProfile("https://second.example.com"));

  HealthMessagesTest() {
    // GoCD holds the first submission until the test lets it answer.
    when(accessor.submit(any()))
        .thenAnswer(
            invocation -> {
              GoApiRequest request = invocation.getArgument(0);
              submissions.add(request.requestBody());
              if (firstSubmissionStarted.getCount() > 0) {
                firstSubmissionStarted.countDown();
                assertThat(gocdAnswers.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
              }
              return DefaultGoApiResponse.success(null);
            });
  }

  @AfterEach
  void stop() {
    gocdAnswers.countDown();
    callers.shutdownNow();
  }

  @Test
  void anotherCallerNeitherWaitsForGoCdNorIsLost() throws Exception {
    Future<?> slow =
        callers.submit(() -> health.record(first, new ServiceAnswer.Unreachable("down")));
    assertThat(firstSubmissionStarted.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();

    // While GoCD still holds the first submission:
    Future<List<HealthMessage>> other =
        callers.submit(
            () -> {
              health.record(second, new ServiceAnswer.Unreachable("gone"));
              return health.current();
            });

    assertThat(other.get(WAIT_SECONDS, TimeUnit.SECONDS))
        .extracting(HealthMessage::message)
        .containsExactly(
            "Elastic agent service at https://first.example.com cannot be reached: down",
            "Elastic agent service at https://second.example.com cannot be reached: gone");
    assertThat(slow.isDone()).isFalse();
    assertThat(submissions).hasSize(1);

    gocdAnswers.countDown();
    slow.get(WAIT_SECONDS, TimeUnit.SECONDS);

    // The change made meanwhile follows the first set, in order, from the caller that waited.
    assertThat(submissions).hasSize(2);
    assertThat(submissions.get(0)).contains("first.example.com").doesNotContain("second");
    assertThat(submissions.get(1)).contains("first.example.com", "second.example.com");
  }

  @Test
  void aPingRecordedMeanwhileDoesNotWaitEither() throws Exception {
    Future<?> slow =
        callers.submit(() -> health.record(first, new ServiceAnswer.Unreachable("down")));
    assertThat(firstSubmissionStarted.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();

    Future<?> ping =
        callers.submit(
            () ->
                health.recordPing(
                    Map.of(second, new ServiceAnswer.Success(200, "")),
                    Map.of(second, List.of(HealthMessage.warning("at maximum")))));

    ping.get(WAIT_SECONDS, TimeUnit.SECONDS);
    gocdAnswers.countDown();
    slow.get(WAIT_SECONDS, TimeUnit.SECONDS);

    assertThat(submissions).hasSize(2);
    assertThat(submissions.get(1)).isEqualTo("[{\"type\":\"warning\",\"message\":\"at maximum\"}]");
  }
}
