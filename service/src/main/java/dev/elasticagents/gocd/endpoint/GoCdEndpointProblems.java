package dev.elasticagents.gocd.endpoint;

import dev.elasticagents.runtime.InvalidJobVariablesException;
import io.camunda.client.api.command.ClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Problems of the GoCD endpoint as {@code application/problem+json}. Details name the field that is
 * wrong, never its value, and never carry a parser's excerpt of the body.
 */
@RestControllerAdvice(assignableTypes = GoCdEndpoint.class)
class GoCdEndpointProblems {

  private static final Logger log = LoggerFactory.getLogger(GoCdEndpointProblems.class);

  @ExceptionHandler
  ProblemDetail refused(GoCdRequestException e) {
    return problem(e.status(), e.getMessage());
  }

  @ExceptionHandler
  ProblemDetail invalid(InvalidJobVariablesException e) {
    return problem(HttpStatus.BAD_REQUEST, String.join("; ", e.problems()));
  }

  /** Zeebe did not take the message: GoCD sends create-agent again, and the plugin says so. */
  @ExceptionHandler
  ProblemDetail clusterUnavailable(ClientException e) {
    log.warn("Could not publish a GoCD message to the cluster: {}", e.getClass().getSimpleName());
    return problem(
        HttpStatus.SERVICE_UNAVAILABLE, "the cluster did not take the message; send it again");
  }

  private static ProblemDetail problem(HttpStatus status, String detail) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
    problem.setTitle(status.getReasonPhrase());
    return problem;
  }
}
