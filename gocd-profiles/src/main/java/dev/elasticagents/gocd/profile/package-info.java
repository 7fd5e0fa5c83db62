/**
 * The cluster and elastic agent profile properties, each declared once with its rules: the plugin's
 * metadata, views and validation, and the service's checks of every request. JDK only.
 */
package dev.elasticagents.gocd.profile;
