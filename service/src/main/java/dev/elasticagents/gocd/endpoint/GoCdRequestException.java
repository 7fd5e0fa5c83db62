package dev.elasticagents.gocd.endpoint;

import org.springframework.http.HttpStatus;

/**
 * A GoCD message the endpoint refuses, with a detail that names what is wrong and never a value.
 */
class GoCdRequestException extends RuntimeException {

  private final HttpStatus status;

  GoCdRequestException(HttpStatus status, String detail) {
    super(detail);
    this.status = status;
  }

  HttpStatus status() {
    return status;
  }
}
