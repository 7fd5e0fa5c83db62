package dev.elasticagents.gocd.profile;

/**
 * One property of a cluster or elastic agent profile, as GoCD shows it in its forms. A secure
 * property is stored encrypted by GoCD and shown masked.
 */
public record ProfileProperty(
    String key, String displayName, boolean required, boolean secure, String description) {}
