package dev.elasticagents.engine;

import io.grpc.Status;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Problems as the 8.8 gateway answers them (RFC 9457, {@code application/problem+json}): an
 * engine rejection gets the status of its rejection type and that type as its title, with the
 * engine's own detail ("Command 'COMPLETE' rejected with code 'NOT_FOUND': ..."); a body that
 * cannot be read gets Spring's 400, as the gateway's Spring MVC gives it.
 */
@ConditionalOnProperty(name = RestFront.OWN_CONTEXT, havingValue = "true")
@RestControllerAdvice
class GatewayProblems extends ResponseEntityExceptionHandler {

  private static final Pattern REJECTION = Pattern.compile("rejected with code '([A-Z_]+)'");

  /** The engine did not answer in time. */
  static final class Timeout extends RuntimeException {
    Timeout(long seconds) {
      super("The engine did not answer within %d s".formatted(seconds));
    }
  }

  @ExceptionHandler(CompletionException.class)
  ProblemDetail rejected(CompletionException e) {
    Status status = Status.fromThrowable(e.getCause());
    String detail = status.getDescription() == null ? status.getCode().name() : status.getDescription();
    Matcher rejection = REJECTION.matcher(detail);
    String title = rejection.find() ? rejection.group(1) : status.getCode().name();
    return problem(httpStatus(status.getCode(), title), title, detail);
  }

  @ExceptionHandler(Timeout.class)
  ProblemDetail timedOut(Timeout e) {
    return problem(HttpStatus.GATEWAY_TIMEOUT, "DEADLINE_EXCEEDED", e.getMessage());
  }

  @ExceptionHandler(IllegalArgumentException.class)
  ProblemDetail invalid(IllegalArgumentException e) {
    return problem(HttpStatus.BAD_REQUEST, "INVALID_ARGUMENT", e.getMessage());
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
