package dev.elasticagents.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/** Answers every request with 503 while the engine plays a gateway without its brokers. */
class UnavailableFilter extends OncePerRequestFilter {

  private final Reachability reachability;
  private final ObjectMapper json;

  UnavailableFilter(Reachability reachability, ObjectMapper json) {
    this.reachability = reachability;
    this.json = json;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (!reachability.answersUnavailable()) {
      chain.doFilter(request, response);
      return;
    }
    response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
    response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    json.writeValue(response.getOutputStream(), GatewayProblems.unavailable());
  }
}
