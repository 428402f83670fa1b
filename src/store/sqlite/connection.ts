import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ensurePrivateFile, makePrivate } from '../../data-dir.js';

/** File name of the embedded database inside the data directory. */
export const DATABASE_FILE = 'parley.db';

/** How long a statement waits for another process's lock (a write, a checkpoint) before failing. */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens a connection with the settings parley relies on: WAL, synchronous=FULL so each commit is
 * durable before it returns, and secure_delete so the space old content leaves is zeroed. Several
 * processes (PARLEY_WORKERS) may hold connections at once: the busy timeout is set first, so even
 * switching a new file to WAL waits for the others rather than failing.
 *
 * The database and its -wal and -shm files are the owner's alone (0600): SQLite creates the two
 * with the database file's mode, which is set before SQLite first opens it.
 */
export function openConnection(dataDir: string): Database.Database {
  const file = join(dataDir, DATABASE_FILE);
  ensurePrivateFile(file);
  const db = new Database(file);
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('secure_delete = ON');
  // Files left by an older parley or another tool keep whatever mode they had until now.
  makePrivate(`${file}-wal`);
  makePrivate(`${file}-shm`);
  return db;
}
