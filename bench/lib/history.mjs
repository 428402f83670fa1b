// The stored history of the many-user configurations (sqlite-users, sqlite-history): USERS imported
// and `messages` one-to-one messages between random pairs of them, written straight into a new data
// directory before parley opens it (through the REST API ten million would take hours). The rows
// are the ones parley's sendmsg writes: same columns, CRC, unread counts and indexes.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ensurePrivateFile } from '../../dist/src/data-dir.js';
import { contentCrc } from '../../dist/src/domain/message.js';
import { formatMsgKey } from '../../dist/src/domain/msg-key.js';
import { DATABASE_FILE } from '../../dist/src/store/sqlite/connection.js';
import { migrate } from '../../dist/src/store/sqlite/schema.js';
import { SDKAPPID, USERS, randomPair, seededRandom, text } from './workload.mjs';

/** Rows per transaction while loading. */
const ROWS_PER_TRANSACTION = 200_000;
/** Keys the modify phase draws from: every message of a smaller history, a uniform sample of a larger one. */
export const SAMPLE_KEYS = 100_000;
/** The newest loaded message is this many seconds old, so every one is in the past. */
const NEWEST_AGE_SECONDS = 60;
/** Messages per second of history (the loaded messages span messages / this seconds). */
const MESSAGES_PER_SECOND = 1000;

/** Size in bytes of the database and its WAL (0 for a file that is not there). */
export function databaseBytes(dataDir) {
  const size = (file) => statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  const file = join(dataDir, DATABASE_FILE);
  return size(file) + size(`${file}-wal`);
}

/**
 * Loads the history into `dataDir` (which parley has not opened yet) and returns keys for
 * the modify phase ({ from, to, msgKey }) and what the load took. `seed` makes it repeatable.
 */
export function loadHistory(dataDir, messages, { seed }) {
  const began = performance.now();
  const file = join(dataDir, DATABASE_FILE);
  ensurePrivateFile(file);
  const db = new Database(file);
  try {
    migrate(db);
    // Nothing here needs to survive a crash: a failed load is started again from nothing.
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -524288'); // 512 MiB, so building the indexes sorts in memory
    // Rows go in first and the indexes are built after, from the SQL that made them.
    const indexes = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'c2c_messages' AND sql IS NOT NULL").all();
    for (const { name } of indexes) db.exec(`DROP INDEX "${name}"`);
    const importAccounts = db.prepare('INSERT INTO accounts (app, user_id) VALUES (?, ?)');
    db.transaction(() => USERS.forEach((user) => importAccounts.run(SDKAPPID, user)))();
    const unread = insertMessages(db, messages, seededRandom(seed));
    countUnread(db, unread);
    const loaded = performance.now();
    for (const { sql } of indexes) db.exec(sql);
    db.pragma('journal_mode = WAL');
    const keys = sampleKeys(db, messages, seededRandom(seed + 1));
    return { keys, loadSeconds: (loaded - began) / 1000, indexSeconds: (performance.now() - loaded) / 1000, bytes: databaseBytes(dataDir) };
  } finally {
    db.close();
  }
}

/**
 * Inserts `messages` sends between random pairs, oldest first (as ids grow with time in a real
 * store), each with a random MsgSeq and MsgRandom; returns the unread count per receiver and
 * sender (index to * USERS.length + from), as sendmsg keeps it.
 */
function insertMessages(db, messages, random) {
  const insert = db.prepare(
    `INSERT INTO c2c_messages (app, from_account, to_account, user_lo, user_hi, msg_seq, msg_random, msg_time, crc, body, cloud_custom_data, sender_sync)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', 1)`,
  );
  const unread = new Uint32Array(USERS.length * USERS.length);
  const span = Math.max(1, Math.ceil(messages / MESSAGES_PER_SECOND));
  const first = Math.floor(Date.now() / 1000) - NEWEST_AGE_SECONDS - span;
  const u32 = () => Math.floor(random() * 2 ** 32);
  const batch = db.transaction((from, to) => {
    for (let i = from; i < to; i++) {
      const [f, t] = randomPair(random);
      const sender = USERS[f];
      const receiver = USERS[t];
      const body = JSON.stringify(text(`history ${i + 1}`));
      const time = first + Math.floor((i * span) / messages);
      insert.run(SDKAPPID, sender, receiver, f < t ? sender : receiver, f < t ? receiver : sender, u32(), u32(), time, contentCrc({ body, cloudCustomData: '' }), body);
      unread[t * USERS.length + f] += 1;
    }
  });
  for (let from = 0; from < messages; from += ROWS_PER_TRANSACTION) batch(from, Math.min(messages, from + ROWS_PER_TRANSACTION));
  return unread;
}

/** c2c_read_state as the sends would have left it: nothing read, every message unread. */
function countUnread(db, unread) {
  const insert = db.prepare('INSERT INTO c2c_read_state (app, user_id, peer, unread) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    unread.forEach((count, index) => {
      if (count > 0) insert.run(SDKAPPID, USERS[Math.floor(index / USERS.length)], USERS[index % USERS.length], count);
    });
  })();
}

/**
 * Every message's key when there are at most SAMPLE_KEYS, else SAMPLE_KEYS different messages drawn
 * uniformly: each key is one message, so the keys the requests name count the messages they edit.
 */
function sampleKeys(db, messages, random) {
  const asKey = (row) => ({ from: row.from_account, to: row.to_account, msgKey: formatMsgKey({ seq: row.msg_seq, random: row.msg_random, time: row.msg_time }) });
  const columns = 'from_account, to_account, msg_seq, msg_random, msg_time';
  if (messages <= SAMPLE_KEYS) return db.prepare(`SELECT ${columns} FROM c2c_messages ORDER BY id`).all().map(asKey);
  const ids = new Set();
  while (ids.size < SAMPLE_KEYS) ids.add(1 + Math.floor(random() * messages));
  const byId = db.prepare(`SELECT ${columns} FROM c2c_messages WHERE id = ?`);
  return [...ids].map((id) => asKey(byId.get(id)));
}
