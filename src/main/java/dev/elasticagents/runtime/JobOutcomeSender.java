package dev.elasticagents.runtime;

import io.camunda.client.CamundaClient;
import io.camunda.client.api.command.FinalCommandStep;
import io.camunda.client.api.command.ProblemException;
import io.camunda.client.api.response.ActivatedJob;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Sends job outcomes to the cluster over the REST API ({@code POST /v2/jobs/{jobKey}/completion},
 * {@code /failure} and {@code /error}), whatever protocol activated the job.
 */
@Component
public class JobOutcomeSender {

  private static final Logger log = LoggerFactory.getLogger(JobOutcomeSender.class);

  private final CamundaClient client;
  private final WorkerProperties properties;
  private final MeterRegistry meters;

  public JobOutcomeSender(CamundaClient client, WorkerProperties properties, MeterRegistry meters) {
    this.client = client;
    this.properties = properties;
    this.meters = meters;
  }

  /** Sends one outcome and records how it went; a rejected outcome leaves the job to time out. */
  public void send(ActivatedJob job, JobOutcome outcome) {
    Timer.Sample sample = Timer.start(meters);
    String status = "204";
    try {
      command(job.getKey(), outcome).requestTimeout(properties.requestTimeout()).send().join();
      log.debug(
          "Sent {} for job {} of type '{}' over REST", kind(outcome), job.getKey(), job.getType());
    } catch (ProblemException e) {
      status = String.valueOf(e.code());
      log.warn(
          "Cluster rejected {} for job {} of type '{}': {} {}",
          kind(outcome),
          job.getKey(),
          job.getType(),
          e.code(),
          e.details() == null ? "" : e.details().getTitle());
    } catch (RuntimeException e) {
      status = "transport";
      log.warn(
          "Could not send {} for job {} of type '{}': {}",
          kind(outcome),
          job.getKey(),
          job.getType(),
          e.toString());
    } finally {
      sample.stop(
          Timer.builder("zeebe.worker.outcome.sent")
              .description("Time to send a job outcome to the cluster over REST")
              .tag("type", job.getType())
              .tag("outcome", kind(outcome))
              .tag("status", status)
              .register(meters));
    }
  }

  // The 8.8 client deprecates the per-command protocol choice, but activation runs over gRPC
  // (REST activation breaks against 8.6 gateways) while outcomes must go over REST.
  @SuppressWarnings("deprecation")
  private FinalCommandStep<?> command(long jobKey, JobOutcome outcome) {
    return switch (outcome) {
      case JobOutcome.Complete complete ->
          client.newCompleteCommand(jobKey).useRest().variables(complete.variables());
      case JobOutcome.Fail fail ->
          client
              .newFailCommand(jobKey)
              .useRest()
              .retries(fail.retries())
              .retryBackoff(fail.retryBackoff())
              .errorMessage(fail.message());
      case JobOutcome.ThrowError error ->
          client
              .newThrowErrorCommand(jobKey)
              .useRest()
              .errorCode(error.errorCode())
              .errorMessage(error.message())
              .variables(error.variables());
    };
  }

  static String kind(JobOutcome outcome) {
    return switch (outcome) {
      case JobOutcome.Complete complete -> "complete";
      case JobOutcome.Fail fail -> "fail";
      case JobOutcome.ThrowError error -> "throw-error";
    };
  }
}
