package dev.elasticagents.gocd.plugin;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One exchange with the service, bounded in time and size from connecting to the last byte. */
class ServiceClientTest {

  @RegisterExtension static WireMockExtension service = GoCd.serviceStub();

  private final ServiceClient client = new ServiceClient(Duration.ofSeconds(1));

  @Test
  void aBodyTrickledBeyondTheDeadlineIsNoAnswer() {
    // The headers come at once, the body in pieces over ten seconds.
    service.stubFor(
        post(urlEqualTo("/gocd/v5/should-assign-work"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withBody("true" + " ".repeat(96))
                    .withChunkedDribbleDelay(10, 10_000)));
    long started = System.nanoTime();

    ServiceAnswer answer = client.post(target(), Message.SHOULD_ASSIGN_WORK, "{}");

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    assertThat(answer).isEqualTo(new ServiceAnswer.Unreachable("no complete answer within 1 s"));
  }

  @Test
  void headersLaterThanTheDeadlineAreNoAnswer() {
    service.stubFor(
        post(urlEqualTo("/gocd/v5/should-assign-work"))
            .willReturn(aResponse().withStatus(200).withBody("true").withFixedDelay(5_000)));

    ServiceAnswer answer = client.post(target(), Message.SHOULD_ASSIGN_WORK, "{}");

    assertThat(answer).isEqualTo(new ServiceAnswer.Unreachable("no complete answer within 1 s"));
  }

  @Test
  void aCompleteAnswerWithinTheDeadlineIsTheAnswer() {
    service.stubFor(
        post(urlEqualTo("/gocd/v5/should-assign-work"))
            .willReturn(
                aResponse().withStatus(200).withBody("true").withChunkedDribbleDelay(4, 200)));

    assertThat(client.post(target(), Message.SHOULD_ASSIGN_WORK, "{}"))
        .isEqualTo(new ServiceAnswer.Success(200, "true"));
  }

  @Test
  void aChunkedBodyBeyondTheBoundIsRefusedWithoutReadingItAll() {
    service.stubFor(
        post(urlEqualTo("/gocd/v5/plugin-status-report"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withBody("x".repeat(3 * ServiceClient.MAX_ANSWER_BYTES))
                    .withChunkedDribbleDelay(30, 300)));

    assertThat(client.post(target(), Message.PLUGIN_STATUS_REPORT, "{}"))
        .isEqualTo(
            new ServiceAnswer.Unreachable(
                "its answer is larger than " + ServiceClient.MAX_ANSWER_BYTES + " bytes"));
  }

  @Test
  void theBoundedBodyKeepsOneByteBeyondTheBoundAtMost() {
    ServiceClient.BoundedBody body = new ServiceClient.BoundedBody(5);
    List<ByteBuffer> chunk =
        List.of(
            ByteBuffer.wrap("abc".getBytes(StandardCharsets.US_ASCII)),
            ByteBuffer.wrap("defgh".getBytes(StandardCharsets.US_ASCII)));
    boolean[] cancelled = {false};
    body.onSubscribe(
        new Flow.Subscription() {
          @Override
          public void request(long n) {}

          @Override
          public void cancel() {
            cancelled[0] = true;
          }
        });

    body.onNext(chunk);

    assertThat(body.getBody().toCompletableFuture().join())
        .isEqualTo("abcde".getBytes(StandardCharsets.US_ASCII));
    assertThat(cancelled[0]).isTrue();
  }

  private static ServiceTarget target() {
    return ServiceTarget.of(GoCd.clusterProfile(service.baseUrl()));
  }
}
