package dev.elasticagents.engine;

import io.grpc.Status;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * Problems as the 8.8 gateway answers them (RFC 9457, {@code application/problem+json}): an engine
 * rejection gets the status of its rejection type and that type as its title, with the engine's own
 * detail ("Command 'COMPLETE' rejected with code 'NOT_FOUND': ..."); a body that cannot be read
 * gets Spring's 400, as the gateway's Spring MVC gives it.
 */
final class GatewayProblems {

  private static final Pattern REJECTION = Pattern.compile("rejected with code '([A-Z_]+)'");

  /** The engine did not answer in time. */
  static final class Timeout extends RuntimeException {
    Timeout(long seconds) {
      super("The engine did not answer within %d s".formatted(seconds));
    }
  }

  /** The problem answering a request that failed with this error. */
  ServerResponse answer(Throwable error, ServerRequest request) {
    ProblemDetail problem =
        switch (error) {
          case CompletionException rejection -> rejected(rejection);
          case Timeout timeout ->
              problem(HttpStatus.GATEWAY_TIMEOUT, "DEADLINE_EXCEEDED", timeout.getMessage());
          case HttpMessageNotReadableException unreadable ->
              problem(HttpStatus.BAD_REQUEST, "Bad Request", "Failed to read request");
          case HttpMediaTypeNotSupportedException unsupported ->
              problem(
                  HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                  "Unsupported Media Type",
                  unsupported.getMessage());
          case IllegalArgumentException invalid ->
              problem(HttpStatus.BAD_REQUEST, "INVALID_ARGUMENT", invalid.getMessage());
          default ->
              problem(
                  HttpStatus.INTERNAL_SERVER_ERROR, "INTERNAL", String.valueOf(error.getMessage()));
        };
    return ServerResponse.status(problem.getStatus())
        .contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .body(problem);
  }

  private static ProblemDetail rejected(CompletionException e) {
    Status status = Status.fromThrowable(e.getCause());
    String detail =
        status.getDescription() == null ? status.getCode().name() : status.getDescription();
    Matcher rejection = REJECTION.matcher(detail);
    String title = rejection.find() ? rejection.group(1) : status.getCode().name();
    return problem(httpStatus(status.getCode(), title), title, detail);
  }

  static ProblemDetail unavailable() {
    return problem(HttpStatus.SERVICE_UNAVAILABLE, "UNAVAILABLE", "The cluster is unavailable");
  }

  private static HttpStatus httpStatus(Status.Code code, String rejectionType) {
    return switch (rejectionType) {
      case "NOT_FOUND" -> HttpStatus.NOT_FOUND;
      case "INVALID_STATE", "ALREADY_EXISTS" -> HttpStatus.CONFLICT;
      case "INVALID_ARGUMENT" -> HttpStatus.BAD_REQUEST;
      case "UNAUTHORIZED" -> HttpStatus.UNAUTHORIZED;
      case "FORBIDDEN" -> HttpStatus.FORBIDDEN;
      default ->
          switch (code) {
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case FAILED_PRECONDITION, ALREADY_EXISTS -> HttpStatus.CONFLICT;
            case INVALID_ARGUMENT -> HttpStatus.BAD_REQUEST;
            case RESOURCE_EXHAUSTED, UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
            case DEADLINE_EXCEEDED -> HttpStatus.GATEWAY_TIMEOUT;
            default -> HttpStatus.INTERNAL_SERVER_ERROR;
          };
    };
  }

  private static ProblemDetail problem(HttpStatus status, String title, String detail) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
    problem.setTitle(title);
    return problem;
  }
}
