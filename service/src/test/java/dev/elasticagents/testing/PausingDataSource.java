package dev.elasticagents.testing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Set;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * A data source that holds a thread just before it executes a chosen SQL statement, so that a test
 * can run another step between a decision's read and its write: the interleaving of a race, made
 * deterministic. Everything else passes straight to the real database.
 */
public final class PausingDataSource extends DelegatingDataSource {

  private static final Set<String> EXECUTIONS =
      Set.of("execute", "executeUpdate", "executeQuery", "executeLargeUpdate");

  private volatile Predicate<String> statement = sql -> false;
  private volatile Pause pause = Pause.NONE;

  public PausingDataSource(DataSource database) {
    super(database);
  }

  /** Holds the first thread that executes a statement whose SQL matches. */
  public void pauseBefore(Predicate<String> statement, Pause pause) {
    this.statement = statement;
    this.pause = pause;
  }

  @Override
  public Connection getConnection() throws java.sql.SQLException {
    return proxy(Connection.class, super.getConnection(), this::connection);
  }

  private Object connection(Connection connection, Method method, Object[] args) throws Throwable {
    Object result = invoke(connection, method, args);
    if (method.getName().equals("prepareStatement")
        && args != null
        && args[0] instanceof String sql) {
      PreparedStatement prepared = (PreparedStatement) result;
      return proxy(
          PreparedStatement.class,
          prepared,
          (target, called, arguments) -> {
            if (EXECUTIONS.contains(called.getName()) && statement.test(sql)) {
              pause.hold();
            }
            return invoke(target, called, arguments);
          });
    }
    return result;
  }

  @FunctionalInterface
  private interface Handler<T> {
    Object handle(T target, Method method, Object[] args) throws Throwable;
  }

  private static <T> T proxy(Class<T> type, T target, Handler<T> handler) {
    InvocationHandler invocation = (proxy, method, args) -> handler.handle(target, method, args);
    return type.cast(
        Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, invocation));
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
