import { join } from 'node:path';
import Database from 'better-sqlite3';

/** File name of the embedded database inside the data directory. */
export const DATABASE_FILE = 'parley.db';

/**
 * Opens a connection with the settings parley relies on: WAL, synchronous=FULL so each commit is
 * durable before it returns, and secure_delete so the space old content leaves is zeroed.
 */
export function openConnection(dataDir: string): Database.Database {
  const db = new Database(join(dataDir, DATABASE_FILE));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('secure_delete = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}
