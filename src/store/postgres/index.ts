import type { Store } from '../types.js';
import { postgresAccounts } from './accounts.js';
import { postgresArchive } from './archive.js';
import { postgresC2C } from './c2c.js';
import { postgresC2CState } from './c2c-state.js';
import { openPool, type PostgresOptions } from './connection.js';
import { postgresGroupAdmin } from './group-admin.js';
import { postgresGroupImport } from './group-import.js';
import { postgresGroupLists } from './group-lists.js';
import { postgresTopicAdmin } from './topic-admin.js';
import { postgresGroups } from './groups.js';
import { outboxWriter, postgresOutbox } from './outbox.js';
import { postgresProfiles } from './profiles.js';
import { migrate } from './schema.js';

export type { PostgresOptions } from './connection.js';

/**
 * Opens the PostgreSQL store at `url`, bringing its schema up to date first. Every write is one
 * statement or one transaction, committed (and so on disk, with PostgreSQL's default
 * synchronous_commit) before its promise resolves; concurrent commits share WAL flushes on the
 * server, as the SQLite store's write queue does in process. Nothing is cached in the process, so
 * any number of parley nodes may share the database.
 */
export async function openPostgresStore(url: string, options: PostgresOptions = {}): Promise<Store> {
  const pool = openPool(url, options);
  try {
    const client = await pool.connect();
    try {
      await migrate(client, options.schema);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end();
    throw error;
  }
  let closed = false;
  const writer = outboxWriter(pool);
  return {
    ...postgresAccounts(pool),
    ...postgresC2C(pool, writer),
    ...postgresC2CState(pool),
    ...postgresGroups(pool, writer),
    ...postgresGroupAdmin(pool),
    ...postgresGroupImport(pool),
    ...postgresGroupLists(pool),
    ...postgresTopicAdmin(pool),
    ...postgresProfiles(pool),
    ...postgresOutbox(pool, writer),
    ...postgresArchive(pool),
    async healthy() {
      if (closed) return false;
      return pool.query('SELECT 1').then(
        () => true,
        () => false,
      );
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
