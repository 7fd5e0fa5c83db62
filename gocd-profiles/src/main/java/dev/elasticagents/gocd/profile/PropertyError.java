package dev.elasticagents.gocd.profile;

/**
 * Why the value of one property is not valid. GoCD shows {@code message} beside the field named
 * {@code key}; the message names the property but never repeats its value, which may be secret.
 */
public record PropertyError(String key, String message) {}
