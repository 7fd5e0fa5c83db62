/**
 * The service's GoCD endpoint, {@code /gocd/v5/<message>}: its bearer token, GoCD's messages as
 * Zeebe messages, and the status reports.
 */
package dev.elasticagents.gocd.endpoint;
