import type { Database } from 'better-sqlite3';

/**
 * Migrations, applied in order; PRAGMA user_version counts how many have run. Append only: a
 * released migration is never edited.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE accounts (
    app INTEGER NOT NULL,
    user_id TEXT NOT NULL,
    nick TEXT NOT NULL DEFAULT '',
    face_url TEXT NOT NULL DEFAULT '',
    deleted INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (app, user_id)
  ) WITHOUT ROWID;

  CREATE TABLE c2c_messages (
    id INTEGER PRIMARY KEY,
    app INTEGER NOT NULL,
    from_account TEXT NOT NULL,
    to_account TEXT NOT NULL,
    user_lo TEXT NOT NULL,
    user_hi TEXT NOT NULL,
    msg_seq INTEGER NOT NULL,
    msg_random INTEGER NOT NULL,
    msg_time INTEGER NOT NULL,
    crc INTEGER NOT NULL,
    body TEXT NOT NULL,
    cloud_custom_data TEXT NOT NULL,
    sender_sync INTEGER NOT NULL,
    recalled INTEGER NOT NULL DEFAULT 0
  );
  -- Identity of a message, and the dedup look-up (same sender, seq, random, recent time).
  CREATE UNIQUE INDEX c2c_by_key ON c2c_messages (app, from_account, msg_seq, msg_random, msg_time, to_account);
  -- A conversation's history in time order.
  CREATE INDEX c2c_by_conversation ON c2c_messages (app, user_lo, user_hi, msg_time, msg_seq, msg_random);
  `,
];

/** Brings the schema up to date inside one transaction. */
export function migrate(db: Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`the database schema (version ${current}) is newer than this parley (${MIGRATIONS.length}); upgrade parley`);
  }
  db.transaction(() => {
    for (let v = current; v < MIGRATIONS.length; v++) {
      db.exec(MIGRATIONS[v] ?? '');
    }
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  })();
}
