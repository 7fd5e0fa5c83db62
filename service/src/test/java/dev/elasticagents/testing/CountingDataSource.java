package dev.elasticagents.testing;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * A data source that counts the statements prepared on its connections and the transactions begun
 * on them ({@code setAutoCommit(false)}): each statement is a round trip to the database.
 */
public final class CountingDataSource extends DelegatingDataSource {

  private final List<String> statements = new CopyOnWriteArrayList<>();
  private final AtomicInteger transactions = new AtomicInteger();

  public CountingDataSource(DataSource target) {
    super(target);
  }

  @Override
  public Connection getConnection() throws SQLException {
    Connection connection = super.getConnection();
    return (Connection)
        Proxy.newProxyInstance(
            Connection.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, arguments) -> {
              if (method.getName().startsWith("prepare")
                  || method.getName().equals("createStatement")) {
                statements.add(
                    arguments == null || arguments.length == 0 ? "" : String.valueOf(arguments[0]));
              }
              if (method.getName().equals("setAutoCommit") && Boolean.FALSE.equals(arguments[0])) {
                transactions.incrementAndGet();
              }
              try {
                return method.invoke(connection, arguments);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  public void reset() {
    statements.clear();
    transactions.set(0);
  }

  public int statements() {
    return statements.size();
  }

  /** The SQL of each statement prepared since the last reset, in order. */
  public List<String> sql() {
    return List.copyOf(statements);
  }

  public int transactions() {
    return transactions.get();
  }
}
