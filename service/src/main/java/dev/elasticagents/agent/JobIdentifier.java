package dev.elasticagents.agent;

import dev.elasticagents.runtime.JobVariables;
import java.util.regex.Pattern;

/** Identifies one run of a GoCD job, as the elastic-agent plugin API sends it. */
public record JobIdentifier(
    long jobId,
    String jobName,
    long pipelineCounter,
    String pipelineLabel,
    String pipelineName,
    long stageCounter,
    String stageName) {

  /** GoCD's name characters, for pipelines, stages and jobs. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{0,255}");

  private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

  /**
   * Reads a {@code job_identifier} object; problems are collected by {@code variables}. Names must
   * be GoCD names and the label free of control characters: they reach logs and reports.
   */
  public static JobIdentifier read(JobVariables variables) {
    JobIdentifier job =
        new JobIdentifier(
            variables.requiredWholeNumber("job_id"),
            variables.requiredString("job_name"),
            variables.requiredWholeNumber("pipeline_counter"),
            variables.optionalString("pipeline_label").orElse(""),
            variables.requiredString("pipeline_name"),
            variables.requiredWholeNumber("stage_counter"),
            variables.requiredString("stage_name"));
    if (job.jobId() <= 0) {
      variables.reject("'job_identifier.job_id' must be a positive whole number");
    }
    checkName(variables, "job_name", job.jobName());
    checkName(variables, "pipeline_name", job.pipelineName());
    checkName(variables, "stage_name", job.stageName());
    if (CONTROL.matcher(job.pipelineLabel()).find()) {
      variables.reject("'job_identifier.pipeline_label' must not hold control characters");
    }
    return job;
  }

  private static void checkName(JobVariables variables, String name, String value) {
    if (!NAME.matcher(value).matches()) {
      variables.reject(
          "'job_identifier.%s' may hold only letters, digits, '.', '_' and '-'".formatted(name));
    }
  }

  /** A readable path of the job, as GoCD shows it: pipeline/counter/stage/counter/job. */
  public String locator() {
    return "%s/%d/%s/%d/%s"
        .formatted(pipelineName, pipelineCounter, stageName, stageCounter, jobName);
  }
}
