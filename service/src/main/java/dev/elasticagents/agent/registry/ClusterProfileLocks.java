package dev.elasticagents.agent.registry;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The row of each cluster profile in {@code cluster_profiles}, locked ({@code select ... for
 * update}) by every decision that can change the profile's capacity or give one of its jobs an
 * agent, so that such decisions run one at a time per profile, in any number of threads and service
 * instances sharing the database.
 */
final class ClusterProfileLocks {

  private final JdbcClient jdbc;
  private final TransactionTemplate transactions;
  // Cluster profile rows are never deleted: once one is known to exist, no decision asks again.
  // Only ids with a row get here, and callers bound those (ensureRow's limit), so this is bounded.
  private final Set<String> known = ConcurrentHashMap.newKeySet();

  ClusterProfileLocks(JdbcClient jdbc, TransactionTemplate transactions) {
    this.jdbc = jdbc;
    this.transactions = transactions;
  }

  /** Makes sure the profile has its row; call it outside the transaction that will lock it. */
  void ensureRow(String id) {
    ensureRow(id, Integer.MAX_VALUE);
  }

  /**
   * Makes sure the profile has its row, unless it has none and {@code limit} profiles have rows
   * already: false then, and nothing is created. Call it outside the transaction that will lock it.
   * Two instances adding different profiles at the same moment may both pass the count, so the
   * table may end up a few rows (one per concurrent caller) above the limit, never more.
   */
  boolean ensureRow(String id, int limit) {
    if (exists(id)) {
      return true;
    }
    try {
      transactions.executeWithoutResult(
          status ->
              jdbc.sql(
                      """
                      insert into cluster_profiles (id)
                      select ? where (select count(*) from cluster_profiles) < ?
                      """)
                  .params(id, limit)
                  .update());
    } catch (DuplicateKeyException e) {
      // Another request created it at the same time: the row is there, which is all we need.
    }
    return exists(id);
  }

  /** Whether the profile has its row, or could get one without going past {@code limit} rows. */
  boolean hasRoomFor(String id, int limit) {
    return exists(id)
        || jdbc.sql("select count(*) from cluster_profiles").query(Integer.class).single() < limit;
  }

  /**
   * Whether the profile has its row; only profiles with a row are remembered, so this is bounded.
   */
  boolean exists(String id) {
    if (known.contains(id)) {
      return true;
    }
    if (jdbc.sql("select count(*) from cluster_profiles where id = ?")
            .param(id)
            .query(Integer.class)
            .single()
        == 0) {
      return false;
    }
    known.add(id);
    return true;
  }

  /** Locks the profile's row until the caller's transaction ends. */
  void lock(String id) {
    jdbc.sql("select id from cluster_profiles where id = ? for update")
        .param(id)
        .query(String.class)
        .single();
  }
}
