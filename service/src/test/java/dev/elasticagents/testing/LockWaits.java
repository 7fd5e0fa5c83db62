package dev.elasticagents.testing;

import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * Tells a test that a step waits for a row lock another transaction holds, as the database itself
 * reports it, so that a race test knows the step blocks without sleeping and hoping it got there.
 */
public final class LockWaits {

  private LockWaits() {}

  /** Waits until a session of the database waits for a lock; fails after 20 seconds. */
  public static void awaitASessionWaitingForALock(DataSource database) {
    await("a session waiting for a lock")
        .atMost(Duration.ofSeconds(20))
        .until(() -> sessionsWaiting(database) > 0);
  }

  private static int sessionsWaiting(DataSource database) throws SQLException {
    try (Connection connection = database.getConnection();
        Statement statement = connection.createStatement();
        ResultSet count = statement.executeQuery(query(connection))) {
      count.next();
      return count.getInt(1);
    }
  }

  private static String query(Connection connection) throws SQLException {
    return connection.getMetaData().getDatabaseProductName().equals("H2")
        ? "select count(*) from information_schema.sessions where blocker_id is not null"
        : "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and datname ="
            + " current_database()";
  }
}
