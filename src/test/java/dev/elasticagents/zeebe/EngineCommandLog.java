package dev.elasticagents.zeebe;

import io.camunda.zeebe.process.test.api.ZeebeTestEngine;
import io.camunda.zeebe.protocol.impl.record.RecordMetadata;
import io.camunda.zeebe.protocol.impl.record.UnifiedRecordValue;
import io.camunda.zeebe.protocol.record.RecordType;
import io.camunda.zeebe.protocol.record.ValueType;
import io.camunda.zeebe.protocol.record.intent.Intent;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Writes commands straight into the log of a zeebe-process-test engine, where its in-process
 * gateway would write them if it had the request. It reaches the engine's own command writer by
 * reflection: zeebe-process-test 8.8 offers no public way to write a command.
 */
final class EngineCommandLog {

  private final Object writer;
  private final Method writeWithKey;

  private EngineCommandLog(Object writer, Method writeWithKey) {
    this.writer = writer;
    this.writeWithKey = writeWithKey;
  }

  static EngineCommandLog of(ZeebeTestEngine engine) {
    try {
      Object gateway = read(engine, "gateway");
      Object writer = read(gateway, "writer");
      Method writeWithKey =
          writer
              .getClass()
              .getDeclaredMethod(
                  "writeCommandWithKey", Long.class, UnifiedRecordValue.class, RecordMetadata.class);
      writeWithKey.setAccessible(true);
      return new EngineCommandLog(writer, writeWithKey);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(
          "This zeebe-process-test version has no command writer where 8.8.21 has one; update "
              + EngineCommandLog.class.getSimpleName(),
          e);
    }
  }

  /** Writes one command about the record with that key. */
  void write(long key, ValueType valueType, Intent intent, UnifiedRecordValue value) {
    RecordMetadata metadata =
        new RecordMetadata().recordType(RecordType.COMMAND).valueType(valueType).intent(intent);
    try {
      writeWithKey.invoke(writer, key, value, metadata);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException("The engine did not take the command", e.getCause());
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Object read(Object owner, String name) throws ReflectiveOperationException {
    Field field = owner.getClass().getDeclaredField(name);
    field.setAccessible(true);
    return field.get(owner);
  }
}
