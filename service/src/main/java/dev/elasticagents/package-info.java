/**
 * The elastic agent workers: the Spring Boot application that runs the Zeebe job workers of the
 * elastic agent lifecycle and the GoCD endpoint.
 */
package dev.elasticagents;
