package dev.elasticagents.gocd.plugin;

import com.thoughtworks.go.plugin.api.GoApplicationAccessor;
import com.thoughtworks.go.plugin.api.GoPlugin;
import com.thoughtworks.go.plugin.api.GoPluginIdentifier;
import com.thoughtworks.go.plugin.api.annotation.Extension;
import com.thoughtworks.go.plugin.api.exceptions.UnhandledRequestTypeException;
import com.thoughtworks.go.plugin.api.logging.Logger;
import com.thoughtworks.go.plugin.api.request.GoPluginApiRequest;
import com.thoughtworks.go.plugin.api.response.GoPluginApiResponse;
import dev.elasticagents.gocd.profile.InputLimits;
import java.util.List;

/**
 * The GoCD elastic agent plugin (extension v5). It decides nothing itself: it forwards GoCD's
 * messages to the elastic agent service its cluster profiles name and hands the answers back. GoCD
 * calls {@link #handle} on many threads at once; the only state is the cache of health messages,
 * which is thread safe.
 */
@Extension
public class ElasticAgentPlugin implements GoPlugin {

  private static final Logger LOG = Logger.getLoggerFor(ElasticAgentPlugin.class);

  private final ServiceClient client = new ServiceClient();
  private final ConfigurationMessages configuration = new ConfigurationMessages();
  private volatile Handlers handlers;

  /** The forwarding parts, which need the GoCD server's accessor. */
  private record Handlers(ForwardedMessages forwarded, StatusReports reports, ServerPing ping) {}

  @Override
  public void initializeGoApplicationAccessor(GoApplicationAccessor accessor) {
    GoServer server = new GoServer(accessor, pluginIdentifier());
    HealthMessages health = new HealthMessages(server);
    ServiceCalls calls = new ServiceCalls(client, health);
    handlers =
        new Handlers(
            new ForwardedMessages(calls),
            new StatusReports(calls),
            new ServerPing(server, calls, health));
  }

  @Override
  public GoPluginIdentifier pluginIdentifier() {
    return new GoPluginIdentifier("elastic-agent", List.of("5.0"));
  }

  @Override
  public GoPluginApiResponse handle(GoPluginApiRequest request)
      throws UnhandledRequestTypeException {
    Message message =
        Message.named(request.requestName())
            .orElseThrow(() -> new UnhandledRequestTypeException(request.requestName()));
    String body = request.requestBody();
    // migrate-config is only echoed, and refusing it would mark the plugin invalid.
    if (message != Message.MIGRATE_CONFIG && tooLarge(body)) {
      return refused(
          message, 400, "the body is larger than " + InputLimits.MAX_BODY_BYTES + " bytes");
    }
    try {
      return answer(message, body);
    } catch (InvalidRequest invalid) {
      return refused(message, 400, invalid.getMessage());
    } catch (RuntimeException unexpected) {
      // Only the type: an exception's message might quote a body.
      return refused(message, 500, "unexpected " + unexpected.getClass().getName());
    }
  }

  /** should-assign-work is answered false whatever went wrong: GoCD expects a boolean. */
  private static GoPluginApiResponse refused(Message message, int status, String reason) {
    LOG.warn(message + " refused: " + reason);
    return message == Message.SHOULD_ASSIGN_WORK
        ? ForwardedMessages.assignWork(false)
        : Answers.status(status, message + " refused: " + reason);
  }

  private GoPluginApiResponse answer(Message message, String body) {
    return switch (message) {
      case GET_ICON -> configuration.icon();
      case GET_CAPABILITIES -> configuration.capabilities();
      case GET_CLUSTER_PROFILE_METADATA -> configuration.clusterProfileMetadata();
      case GET_CLUSTER_PROFILE_VIEW -> configuration.clusterProfileView();
      case VALIDATE_CLUSTER_PROFILE -> configuration.validateClusterProfile(body);
      case GET_ELASTIC_AGENT_PROFILE_METADATA -> configuration.elasticAgentProfileMetadata();
      case GET_ELASTIC_AGENT_PROFILE_VIEW -> configuration.elasticAgentProfileView();
      case VALIDATE_ELASTIC_AGENT_PROFILE -> configuration.validateElasticAgentProfile(body);
      case MIGRATE_CONFIG -> configuration.migrateConfig(body);
      case CREATE_AGENT -> handlers().forwarded().createAgent(body);
      case SHOULD_ASSIGN_WORK -> handlers().forwarded().shouldAssignWork(body);
      case JOB_COMPLETION -> handlers().forwarded().jobCompletion(body);
      case CLUSTER_PROFILE_CHANGED -> handlers().forwarded().clusterProfileChanged(body);
      case SERVER_PING -> handlers().ping().ping(body);
      case PLUGIN_STATUS_REPORT -> handlers().reports().pluginStatusReport(body);
      case CLUSTER_STATUS_REPORT -> handlers().reports().clusterStatusReport(body);
      case AGENT_STATUS_REPORT -> handlers().reports().agentStatusReport(body);
    };
  }

  private Handlers handlers() {
    Handlers current = handlers;
    if (current == null) {
      throw new IllegalStateException("GoCD has not initialised the plugin's accessor yet");
    }
    return current;
  }

  /** Counts the body's UTF-8 bytes without encoding it: it may be the oversized one. */
  static boolean tooLarge(String body) {
    if (body == null || body.length() <= InputLimits.MAX_BODY_BYTES / 3) {
      return false;
    }
    long bytes = 0;
    for (int i = 0; i < body.length() && bytes <= InputLimits.MAX_BODY_BYTES; i++) {
      char c = body.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < body.length()
          && Character.isLowSurrogate(body.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes > InputLimits.MAX_BODY_BYTES;
  }
}
