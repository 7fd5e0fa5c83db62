package dev.elasticagents.gocd.plugin;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Posts one message to the service's GoCD endpoint and classifies the answer. */
final class ServiceClient {

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /**
   * The whole exchange, from connecting to the last byte of the answer. The request timeout of the
   * JDK's client ends with the response headers when the body is read as it arrives, so a service
   * that sends its headers and then trickles its body would otherwise hold GoCD's thread for ever.
   */
  static final Duration EXCHANGE_DEADLINE = Duration.ofSeconds(15);

  private static final int MAX_DETAIL_LENGTH = 500;

  /** Larger than any answer of the service (a status report of hundreds of agents). */
  static final int MAX_ANSWER_BYTES = 1024 * 1024;

  private final HttpClient http;
  private final Duration deadline;

  ServiceClient() {
    this(EXCHANGE_DEADLINE);
  }

  ServiceClient(Duration deadline) {
    this.deadline = deadline;
    http =
        HttpClient.newBuilder()
            .connectTimeout(CONNECT_TIMEOUT)
            // One small request per message: HTTP/1.1 spares the h2c upgrade on plain http.
            .version(HttpClient.Version.HTTP_1_1)
            // A redirect would carry the token to wherever it points.
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  ServiceAnswer post(ServiceTarget target, Message message, String body) {
    HttpRequest request =
        HttpRequest.newBuilder(target.endpoint(message))
            .timeout(deadline)
            .header("Authorization", "Bearer " + target.token())
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build();
    // One byte more than the bound at most: a service answering without end cannot fill GoCD's
    // memory, and a larger answer is refused below.
    CompletableFuture<HttpResponse<byte[]>> exchange =
        http.sendAsync(request, info -> new BoundedBody(MAX_ANSWER_BYTES + 1));
    int status;
    byte[] received;
    try {
      HttpResponse<byte[]> response = exchange.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
      status = response.statusCode();
      received = response.body();
    } catch (TimeoutException e) {
      exchange.cancel(true);
      return noAnswerInTime();
    } catch (ExecutionException e) {
      return failed(e.getCause());
    } catch (InterruptedException e) {
      exchange.cancel(true);
      Thread.currentThread().interrupt();
      return new ServiceAnswer.Unreachable("interrupted while waiting for the answer");
    }
    if (received.length > MAX_ANSWER_BYTES) {
      return new ServiceAnswer.Unreachable(
          "its answer is larger than " + MAX_ANSWER_BYTES + " bytes");
    }
    String answer = new String(received, StandardCharsets.UTF_8);
    if (status >= 200 && status < 300) {
      return new ServiceAnswer.Success(status, answer);
    }
    if (status == 401 || status == 403) {
      return new ServiceAnswer.Refused(
          status, "the service refused the cluster profile's service_token (HTTP " + status + ")");
    }
    if (status >= 400 && status < 500) {
      return new ServiceAnswer.Refused(status, detail(answer, target));
    }
    return new ServiceAnswer.Unreachable("HTTP " + status);
  }

  private ServiceAnswer.Unreachable noAnswerInTime() {
    return new ServiceAnswer.Unreachable(
        "no complete answer within " + deadline.toSeconds() + " s");
  }

  private ServiceAnswer.Unreachable failed(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof HttpConnectTimeoutException) {
      return new ServiceAnswer.Unreachable(
          "no connection within " + CONNECT_TIMEOUT.toSeconds() + " s");
    }
    if (cause instanceof HttpTimeoutException) {
      return noAnswerInTime();
    }
    if (cause instanceof ConnectException) {
      return new ServiceAnswer.Unreachable("connection failed");
    }
    if (cause instanceof IOException io) {
      return new ServiceAnswer.Unreachable(describe(io));
    }
    // Only the type: the message of an unexpected failure might quote anything.
    return new ServiceAnswer.Unreachable(
        cause == null ? "the exchange failed" : cause.getClass().getSimpleName());
  }

  /**
   * Collects an answer's body up to {@code limit} bytes, then stops reading: the caller refuses an
   * answer of that size, so the rest is never transferred into memory.
   */
  static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {

    private final int limit;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> body = new CompletableFuture<>();
    private Flow.Subscription subscription;

    BoundedBody(int limit) {
      this.limit = limit;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      subscription.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      if (body.isDone()) {
        return;
      }
      for (ByteBuffer buffer : buffers) {
        int take = Math.min(buffer.remaining(), limit - received.size());
        byte[] bytes = new byte[take];
        buffer.get(bytes);
        received.write(bytes, 0, take);
        if (received.size() >= limit) {
          subscription.cancel();
          body.complete(received.toByteArray());
          return;
        }
      }
      subscription.request(1);
    }

    @Override
    public void onError(Throwable failure) {
      body.completeExceptionally(failure);
    }

    @Override
    public void onComplete() {
      body.complete(received.toByteArray());
    }
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    return message == null || message.isBlank()
        ? e.getClass().getSimpleName()
        : e.getClass().getSimpleName() + ": " + message;
  }

  /** The detail of a problem answer, made safe to show in GoCD and to log. */
  static String detail(String body, ServiceTarget target) {
    String detail = null;
    try {
      JsonElement parsed = Json.parse(body);
      if (parsed.isJsonObject()) {
        JsonObject problem = parsed.getAsJsonObject();
        detail = Json.string(problem, "detail");
        if (detail == null || detail.isBlank()) {
          detail = Json.string(problem, "title");
        }
      }
    } catch (InvalidRequest notAProblem) {
      // Not problem JSON: no detail to pass on.
    }
    return detail == null || detail.isBlank()
        ? "no detail given"
        : Text.safe(detail, target, MAX_DETAIL_LENGTH);
  }
}
