package dev.elasticagents.gocd.profile;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The properties of a cluster profile: where the elastic agent service is, how the plugin
 * authenticates to it, and the capacity and timeouts the service applies to the profile's agents.
 */
public final class ClusterProfileProperties {

  public static final String SERVICE_URL = "service_url";
  public static final String SERVICE_TOKEN = "service_token";
  public static final String ALLOW_INSECURE_HTTP = "allow_insecure_http";
  public static final String ID = "id";
  public static final String MAX_RUNNING_AGENTS = "max_running_agents";
  public static final String MAX_PENDING_AGENTS = "max_pending_agents";
  public static final String IDLE_TIMEOUT = "idle_timeout";
  public static final String AUTO_REGISTER_TIMEOUT = "auto_register_timeout";
  public static final String MAX_BUILD_DURATION = "max_build_duration";
  public static final String GO_SERVER_URL = "go_server_url";

  private static final String DURATION_FORMAT =
      "Whole minutes (10) or an ISO-8601 duration (PT10M).";

  private static final ProfileValidator VALIDATOR =
      new ProfileValidator(
          List.of(
              PropertyRule.of(
                  new ProfileProperty(
                      SERVICE_URL,
                      "Service URL",
                      true,
                      false,
                      "Base URL of the elastic agent service, such as"
                          + " https://elastic-agents.example.com."),
                  Checks.httpUrl("", "https://elastic-agents.example.com")),
              PropertyRule.of(
                  new ProfileProperty(
                      SERVICE_TOKEN,
                      "Service token",
                      true,
                      true,
                      "Token the plugin presents to the service: 16 to 512 printable ASCII"
                          + " characters without spaces."),
                  Checks.matching(
                      Pattern.compile("[\\x21-\\x7E]{16,512}"),
                      "must be 16 to 512 printable ASCII characters without spaces")),
              PropertyRule.of(
                  new ProfileProperty(
                      ALLOW_INSECURE_HTTP,
                      "Allow insecure HTTP",
                      false,
                      false,
                      "true lets the plugin use an http:// service URL: the service token and the"
                          + " agents' auto-register keys then cross the network unencrypted, and"
                          + " GoCD shows a server-health warning. Leave unset for https."),
                  Checks.matching(Pattern.compile("true|false"), "must be true or false")),
              PropertyRule.of(
                  new ProfileProperty(
                      ID,
                      "Cluster profile ID",
                      false,
                      false,
                      // GoCD does not tell plugins which cluster profile a request belongs to.
                      "The ID of this cluster profile, repeated here because GoCD does not send it"
                          + " to plugins; the service counts capacity per ID. Defaults to"
                          + " \"default\"."),
                  Checks.matching(
                      Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}"),
                      "must be 1 to 100 letters, digits, '_', '.' or '-', starting with a letter or"
                          + " digit")),
              PropertyRule.of(
                  new ProfileProperty(
                      MAX_RUNNING_AGENTS,
                      "Maximum running agents",
                      false,
                      false,
                      "How many agents of this cluster profile may run at once."),
                  Checks.positiveWholeNumber()),
              PropertyRule.of(
                  new ProfileProperty(
                      MAX_PENDING_AGENTS,
                      "Maximum pending agents",
                      false,
                      false,
                      "How many agents of this cluster profile may be starting and not yet"
                          + " registered at once."),
                  Checks.positiveWholeNumber()),
              PropertyRule.of(
                  new ProfileProperty(
                      IDLE_TIMEOUT,
                      "Idle timeout",
                      false,
                      false,
                      "How long an idle agent is kept for reuse before it is terminated. "
                          + DURATION_FORMAT),
                  Checks.duration(false)),
              PropertyRule.of(
                  new ProfileProperty(
                      AUTO_REGISTER_TIMEOUT,
                      "Auto-register timeout",
                      false,
                      false,
                      "How long a new agent may take to register with GoCD before it is terminated."
                          + " "
                          + DURATION_FORMAT),
                  Checks.duration(false)),
              PropertyRule.of(
                  new ProfileProperty(
                      MAX_BUILD_DURATION,
                      "Maximum build duration",
                      false,
                      false,
                      "How long an agent may build one job before it is terminated. "
                          + DURATION_FORMAT),
                  Checks.duration(true)),
              PropertyRule.of(
                  new ProfileProperty(
                      GO_SERVER_URL,
                      "GoCD server URL",
                      false,
                      false,
                      "The GoCD server URL agents connect to, ending in /go, such as"
                          + " https://gocd.example.com/go."),
                  Checks.httpUrl("/go", "https://gocd.example.com/go"))));

  private ClusterProfileProperties() {}

  /** The properties in the order GoCD shows them. */
  public static List<ProfileProperty> declared() {
    return VALIDATOR.declared();
  }

  /**
   * The problems of a cluster profile, one per bad key; empty when it is valid. A plain http
   * service URL is valid only with {@code allow_insecure_http} set to true: over http the token and
   * the auto-register keys can be read and replayed by anyone on the network.
   */
  public static List<PropertyError> validate(Map<String, String> properties) {
    List<PropertyError> errors = VALIDATOR.validate(properties);
    if (properties == null
        || errors.stream().anyMatch(error -> error.key().isEmpty())
        || errors.stream().anyMatch(error -> error.key().equals(SERVICE_URL))
        || !isPlainHttp(properties.get(SERVICE_URL))
        || allowsInsecureHttp(properties)) {
      return errors;
    }
    // The service URL is the first property: its error comes first.
    List<PropertyError> withUrl = new ArrayList<>(errors.size() + 1);
    withUrl.add(
        new PropertyError(
            SERVICE_URL, "Service URL must be https, or set " + ALLOW_INSECURE_HTTP + " to true"));
    withUrl.addAll(errors);
    return List.copyOf(withUrl);
  }

  /** Whether the profile explicitly allows a plain http service URL. */
  public static boolean allowsInsecureHttp(Map<String, String> properties) {
    return properties != null && "true".equals(properties.get(ALLOW_INSECURE_HTTP));
  }

  /** Whether {@code url} is an absolute URL of the http scheme (not https). */
  public static boolean isPlainHttp(String url) {
    if (url == null) {
      return false;
    }
    try {
      String scheme = new URI(url).getScheme();
      return scheme != null && scheme.toLowerCase(Locale.ROOT).equals("http");
    } catch (URISyntaxException notAUri) {
      return false;
    }
  }

  /**
   * Why {@code token} could not be a cluster profile's {@code service_token}, worded to follow the
   * name of the setting; empty when it could. The problem never repeats the token.
   */
  public static Optional<String> serviceTokenProblem(String token) {
    return VALIDATOR.problem(SERVICE_TOKEN, token);
  }

  /**
   * The problems of a cluster profile in a request to the service: the rules of the properties
   * given, and the limits of every value; nothing required, nothing unknown.
   */
  public static List<PropertyError> validateGiven(Map<String, String> properties) {
    return VALIDATOR.validateGiven(properties);
  }
}
