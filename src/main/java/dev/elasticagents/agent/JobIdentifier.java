package dev.elasticagents.agent;

import dev.elasticagents.runtime.JobVariables;

/** Identifies one run of a GoCD job, as the elastic-agent plugin API sends it. */
public record JobIdentifier(
    long jobId,
    String jobName,
    long pipelineCounter,
    String pipelineLabel,
    String pipelineName,
    long stageCounter,
    String stageName) {

  /** Reads a {@code job_identifier} object; problems are collected by {@code variables}. */
  static JobIdentifier read(JobVariables variables) {
    return new JobIdentifier(
        variables.requiredWholeNumber("job_id"),
        variables.requiredString("job_name"),
        variables.requiredWholeNumber("pipeline_counter"),
        variables.optionalString("pipeline_label").orElse(""),
        variables.requiredString("pipeline_name"),
        variables.requiredWholeNumber("stage_counter"),
        variables.requiredString("stage_name"));
  }

  /** A readable path of the job, as GoCD shows it: pipeline/counter/stage/counter/job. */
  public String locator() {
    return "%s/%d/%s/%d/%s".formatted(pipelineName, pipelineCounter, stageName, stageCounter, jobName);
  }
}
