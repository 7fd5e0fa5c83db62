/**
 * The GoCD elastic agent plugin (extension v5): answers GoCD's configuration messages itself and
 * forwards every other message to the service's GoCD endpoint over HTTPS with its bearer token.
 * Java 17 bytecode, with nothing beside the JDK but Gson, the plugin API and the profile rules.
 */
package dev.elasticagents.gocd.plugin;
