package dev.elasticagents.engine;

import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.TopologyResponse;

/**
 * The version the engine's topology reports: its own, or one a test sets to play a gateway of
 * another version.
 *
 * @param version the version to report, or null for the engine's own
 */
record ReportedVersion(String version) {

  static final ReportedVersion ENGINE = new ReportedVersion(null);

  /** The topology as a gateway of this version answers it. */
  TopologyResponse apply(TopologyResponse topology) {
    if (version == null) {
      return topology;
    }
    TopologyResponse.Builder reported = topology.toBuilder().setGatewayVersion(version);
    reported.getBrokersBuilderList().forEach(broker -> broker.setVersion(version));
    return reported.build();
  }
}
