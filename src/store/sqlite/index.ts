import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Store } from '../types.js';
import { sqliteAccounts } from './accounts.js';
import { sqliteC2C } from './c2c.js';
import { sqliteGroups } from './groups.js';
import { migrate } from './schema.js';
import { WalScrubber } from './scrub.js';
import { WriteQueue } from './write-queue.js';

/** File name of the embedded database inside the data directory. */
export const DATABASE_FILE = 'parley.db';

/**
 * Opens (creating if needed) the embedded store in `dataDir`. WAL with synchronous=FULL makes
 * every commit durable; secure_delete zeroes the space old content leaves, so a modified or
 * recalled message cannot be read back from the file.
 */
export function openSqliteStore(dataDir: string): Store {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, DATABASE_FILE));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('secure_delete = ON');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  const scrubber = new WalScrubber(db);
  // A crash may have left destroyed content in the WAL: fold it away before serving.
  scrubber.scrubNow();
  const writes = new WriteQueue(db);
  let closed = false;

  return {
    ...sqliteAccounts(db, writes),
    ...sqliteC2C(db, writes, scrubber),
    ...sqliteGroups(db, writes, scrubber),
    healthy: () => Promise.resolve(!closed && db.open),
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      writes.close();
      // Fold the WAL back into the database and empty it, so old page images do not linger.
      scrubber.scrubNow();
      scrubber.close();
      db.close();
      return Promise.resolve();
    },
  };
}
