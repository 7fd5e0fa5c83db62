/** Deploys the BPMN models at start-up, leaving out those the cluster's version cannot run. */
package dev.elasticagents.deployment;
