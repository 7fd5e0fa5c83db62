package dev.elasticagents.engine;

/**
 * Whether the engine's gateway and REST API take requests, refuse connections (as a cluster that is
 * down), or accept them and answer {@code UNAVAILABLE}/503 (as a gateway without its brokers).
 * Fault runs move it; one owner, read by every request thread.
 */
final class Reachability {

  enum State {
    REACHABLE,
    REFUSING_CONNECTIONS,
    ANSWERING_UNAVAILABLE
  }

  private volatile State state = State.REACHABLE;

  void set(State state) {
    this.state = state;
  }

  boolean answersUnavailable() {
    return state == State.ANSWERING_UNAVAILABLE;
  }
}
