package dev.elasticagents.agent;

/** What a cleanup came to: always a pass over the agents, whatever it found. */
public enum CleanupOutcome implements RecordedDecision.Outcome {
  CLEANED
}
