package dev.elasticagents.runtime;

import io.camunda.client.api.ProblemDetail;
import io.camunda.client.api.command.ClientHttpException;
import io.camunda.client.api.command.MalformedResponseException;
import io.camunda.client.api.command.ProblemException;
import java.util.Objects;
import java.util.concurrent.CompletionException;

/**
 * Why the cluster did not accept an outcome: an RFC 9457 problem response classified by status, a
 * response that could not be read, or no response at all.
 */
public sealed interface Problem {

  /** The HTTP status as a metric tag, or {@code transport} when there was no response. */
  String status();

  /** The problem's title, or what went wrong when there is none. */
  String title();

  /** The problem's detail; may repeat what the cluster knows about the job, so never logged. */
  String detail();

  /** The class of the problem, for logs and metrics. */
  default String kind() {
    return switch (this) {
      case InvalidArgument p -> "invalid-argument";
      case Unauthorized p -> "unauthorized";
      case NotFound p -> "not-found";
      case InvalidState p -> "invalid-state";
      case Unavailable p -> "unavailable";
      case Transport p -> "transport";
      case MalformedResponse p -> "malformed-response";
    };
  }

  /** Whether the same request may succeed later: 429, 5xx, unreadable answers, no answer. */
  default boolean isTransient() {
    return this instanceof Unavailable
        || this instanceof Transport
        || this instanceof MalformedResponse;
  }

  /** Status and title as one readable phrase, for logs and incident messages. */
  default String summary() {
    return status().equals("transport") ? "transport failure " + title() : status() + " " + title();
  }

  /** 400, or another 4xx: the request is wrong and sending it again will not help. */
  record InvalidArgument(int code, String title, String detail) implements Problem {
    public String status() {
      return String.valueOf(code);
    }
  }

  /** 401 or 403: the service's credentials are missing, wrong or lack a permission. */
  record Unauthorized(int code, String title, String detail) implements Problem {
    public String status() {
      return String.valueOf(code);
    }
  }

  /** 404: the job is gone: completed elsewhere, canceled, or its instance was. */
  record NotFound(String title, String detail) implements Problem {
    public String status() {
      return "404";
    }
  }

  /** 409: the job is in a state that refuses the outcome, for example failed elsewhere. */
  record InvalidState(String title, String detail) implements Problem {
    public String status() {
      return "409";
    }
  }

  /** 429 or 5xx: the cluster is busy or unavailable; the same request may succeed later. */
  record Unavailable(int code, String title, String detail) implements Problem {
    public String status() {
      return String.valueOf(code);
    }
  }

  /** No HTTP response: connection refused or reset, or a timeout. */
  record Transport(String title, String detail) implements Problem {
    public String status() {
      return "transport";
    }
  }

  /** A response whose body could not be read as a problem; the status, when known, is kept. */
  record MalformedResponse(String status, String title, String detail) implements Problem {}

  /**
   * Classifies whatever sending an outcome threw or failed its stage with; a completion stage's
   * wrapper is classified by what it wraps.
   */
  static Problem of(Throwable failure) {
    Objects.requireNonNull(failure, "failure");
    if (failure instanceof CompletionException wrapped && wrapped.getCause() != null) {
      return of(wrapped.getCause());
    }
    return switch (failure) {
      case ProblemException problem ->
          byStatus(problem.code(), problem.details(), problem.reason());
      case MalformedResponseException malformed ->
          new MalformedResponse(
              String.valueOf(malformed.code()),
              "unreadable response body",
              String.valueOf(malformed.getMessage()));
      case ClientHttpException http -> byStatus(http.code(), null, http.reason());
      default -> byCause(failure);
    };
  }

  private static Problem byStatus(int code, ProblemDetail details, String reason) {
    String title = details != null && details.getTitle() != null ? details.getTitle() : reason;
    String detail = details != null && details.getDetail() != null ? details.getDetail() : "";
    return switch (code) {
      case 401, 403 -> new Unauthorized(code, title, detail);
      case 404 -> new NotFound(title, detail);
      case 409 -> new InvalidState(title, detail);
      case 429 -> new Unavailable(code, title, detail);
      default ->
          code >= 500
              ? new Unavailable(code, title, detail)
              : new InvalidArgument(code, title, detail);
    };
  }

  private static Problem byCause(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String name = cause.getClass().getSimpleName();
    if (cause instanceof com.fasterxml.jackson.core.JacksonException) {
      return new MalformedResponse("malformed", "unreadable response body", name);
    }
    return new Transport(name, String.valueOf(cause.getMessage()));
  }
}
