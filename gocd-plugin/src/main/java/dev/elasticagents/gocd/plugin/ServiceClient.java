package dev.elasticagents.gocd.plugin;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Posts one message to the service's GoCD endpoint and classifies the answer. */
final class ServiceClient {

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

  private static final int MAX_DETAIL_LENGTH = 500;

  /** Larger than any answer of the service (a status report of hundreds of agents). */
  static final int MAX_ANSWER_BYTES = 1024 * 1024;

  private final HttpClient http;

  ServiceClient() {
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
            .timeout(REQUEST_TIMEOUT)
            .header("Authorization", "Bearer " + target.token())
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build();
    int status;
    byte[] received;
    try {
      HttpResponse<InputStream> response =
          http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      status = response.statusCode();
      // One byte more than the bound at most: a service answering without end cannot fill
      // GoCD's memory, and a larger answer is refused below.
      try (InputStream in = response.body()) {
        received = in.readNBytes(MAX_ANSWER_BYTES + 1);
      }
    } catch (HttpConnectTimeoutException e) {
      return new ServiceAnswer.Unreachable(
          "no connection within " + CONNECT_TIMEOUT.toSeconds() + " s");
    } catch (HttpTimeoutException e) {
      return new ServiceAnswer.Unreachable(
          "no answer within " + REQUEST_TIMEOUT.toSeconds() + " s");
    } catch (ConnectException e) {
      return new ServiceAnswer.Unreachable("connection failed");
    } catch (IOException e) {
      return new ServiceAnswer.Unreachable(describe(e));
    } catch (InterruptedException e) {
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
