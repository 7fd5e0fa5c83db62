package dev.elasticagents.agent.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.elasticagents.agent.LifecycleMessage;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The {@code lifecycle_messages} table: messages written in the transaction of the change they
 * announce, read back until they are published. Recording a message whose id is recorded already
 * changes nothing.
 */
final class MessageOutbox {

  private final JdbcClient jdbc;
  private final ObjectMapper json;

  MessageOutbox(JdbcClient jdbc, ObjectMapper json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  void record(LifecycleMessage message, Instant now) {
    jdbc.sql(
            """
            insert into lifecycle_messages (message_id, name, correlation_key, variables, recorded_at)
            select ?, ?, ?, ?, ? where not exists (select 1 from lifecycle_messages where message_id = ?)
            """)
        .params(
            message.messageId(),
            message.name(),
            message.correlationKey(),
            write(message.variables()),
            AgentRows.timestamp(now),
            message.messageId())
        .update();
  }

  /** The oldest unpublished messages, at most {@code limit}. */
  List<LifecycleMessage> pending(int limit) {
    return jdbc.sql(
            "select message_id, name, correlation_key, variables from lifecycle_messages"
                + " order by recorded_at, message_id limit ?")
        .param(limit)
        .query(
            (row, number) ->
                new LifecycleMessage(
                    row.getString("message_id"),
                    row.getString("name"),
                    row.getString("correlation_key"),
                    read(row.getString("variables"))))
        .list();
  }

  void published(Collection<String> messageIds) {
    for (String id : messageIds) {
      jdbc.sql("delete from lifecycle_messages where message_id = ?").param(id).update();
    }
  }

  private String write(Map<String, Object> variables) {
    try {
      return json.writeValueAsString(variables);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("Message variables are not JSON: " + e.getMessage(), e);
    }
  }

  private Map<String, Object> read(String variables) {
    try {
      return json.readValue(variables, new TypeReference<>() {});
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "A recorded message's variables are not JSON: " + e.getMessage(), e);
    }
  }
}
