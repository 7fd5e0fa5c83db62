package dev.elasticagents.runtime;

import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/** The problem policy of each job type: the defaults, with the job type's overrides applied. */
@Component
public class ProblemPolicies {

  private final ProblemPolicy defaults;
  private final Map<String, ProblemPolicy> byJobType;

  public ProblemPolicies(WorkerProperties properties) {
    this.defaults = properties.problemPolicy();
    this.byJobType =
        properties.jobTypes().entrySet().stream()
            .collect(
                Collectors.toUnmodifiableMap(
                    Map.Entry::getKey, entry -> merge(entry.getKey(), entry.getValue())));
  }

  private ProblemPolicy merge(String jobType, WorkerProperties.JobTypeProperties properties) {
    try {
      return properties.problemPolicy() == null
          ? defaults
          : defaults.with(properties.problemPolicy());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "job-workers.job-types.%s.problem-policy: %s".formatted(jobType, e.getMessage()), e);
    }
  }

  /** The policy for jobs of this type. */
  public ProblemPolicy forJobType(String jobType) {
    return byJobType.getOrDefault(jobType, defaults);
  }
}
