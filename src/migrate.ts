/**
 * Copies an embedded data directory into PostgreSQL (the command line is migrate-cli.ts). Stop
 * parley first (the copy reads one consistent snapshot, but writes made after it would be
 * left behind). The target's parley tables must be empty; they are created if missing. Everything
 * is copied in one transaction: on any failure nothing is left half-copied.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type pg from 'pg';
import { openPool } from './store/postgres/connection.js';
import { migrate as migratePostgres } from './store/postgres/schema.js';
import { DATABASE_FILE } from './store/sqlite/connection.js';

/** The tables copied, with their columns: the same names in both stores. Booleans are 0/1 in SQLite. */
const TABLES: readonly { name: string; columns: readonly string[]; booleans?: readonly string[] }[] = [
  { name: 'accounts', columns: ['app', 'user_id', 'nick', 'face_url', 'deleted'], booleans: ['deleted'] },
  {
    name: 'c2c_messages',
    columns: ['app', 'from_account', 'to_account', 'user_lo', 'user_hi', 'msg_seq', 'msg_random', 'msg_time', 'crc', 'body', 'cloud_custom_data', 'sender_sync', 'recalled', 'from_deleted', 'to_deleted', 'unread_counted'],
    booleans: ['sender_sync', 'recalled', 'from_deleted', 'to_deleted', 'unread_counted'],
  },
  { name: 'c2c_read_state', columns: ['app', 'user_id', 'peer', 'read_time', 'unread'] },
  {
    name: 'groups',
    columns: [
      'app',
      'group_id',
      'type',
      'name',
      'owner',
      'introduction',
      'notification',
      'face_url',
      'max_member_count',
      'apply_join_option',
      'invite_join_option',
      'support_topic',
      'app_defined_data',
      'create_time',
      'info_seq',
      'last_info_time',
      'mute_all',
      'enable_permission',
      'default_permission',
      'app_member_defined_data',
    ],
    booleans: ['support_topic', 'mute_all'],
  },
  {
    name: 'group_members',
    columns: ['app', 'group_id', 'account', 'role', 'join_time', 'name_card', 'msg_flag', 'last_send_time', 'app_defined_data', 'mute_until', 'read_seq'],
  },
  { name: 'profiles', columns: ['app', 'user_id', 'tag', 'value'] },
  {
    name: 'group_topics',
    columns: ['app', 'group_id', 'topic_id', 'name', 'from_account', 'custom_string', 'face_url', 'notification', 'introduction', 'create_time', 'mute_all'],
    booleans: ['mute_all'],
  },
  { name: 'group_seqs', columns: ['app', 'group_id', 'topic_id', 'last_seq', 'last_time'] },
  {
    name: 'group_messages',
    columns: ['app', 'group_id', 'topic_id', 'msg_seq', 'msg_random', 'msg_time', 'from_account', 'priority', 'body', 'cloud_custom_data', 'recalled', 'to_accounts'],
    booleans: ['recalled'],
  },
  // Callbacks not yet delivered (or failed) carry over, with new ids in PostgreSQL's sequence.
  {
    name: 'callback_outbox',
    columns: ['app', 'delivery_id', 'command', 'client_ip', 'body', 'created_at', 'attempts', 'next_attempt_at', 'last_error', 'failed_at'],
  },
];

/** Rows per INSERT: columns × rows stays under PostgreSQL's 65535 bind parameters. */
const BATCH = 1000;

export type MigrationCounts = ReadonlyMap<string, number>;

/** Copies every table of the SQLite database in `dataDir` into the PostgreSQL database at `url`. */
export async function migrateToPostgres(dataDir: string, url: string, options: { schema?: string } = {}): Promise<MigrationCounts> {
  const file = join(dataDir, DATABASE_FILE);
  if (!existsSync(file)) throw new Error(`there is no ${DATABASE_FILE} in ${dataDir}; set PARLEY_DATA_DIR to the data directory to copy`);
  // Read-only, inside one read transaction: one consistent snapshot even if a writer were running.
  const source = new Database(file, { readonly: true, fileMustExist: true });
  const pool = openPool(url, { poolSize: 1, ...(options.schema === undefined ? {} : { schema: options.schema }) });
  const counts = new Map<string, number>();
  try {
    const client = await pool.connect();
    try {
      await migratePostgres(client, options.schema);
      await client.query('SET statement_timeout = 0');
      await client.query('BEGIN');
      try {
        source.exec('BEGIN');
        for (const table of TABLES) counts.set(table.name, await copyTable(source, client, table));
        source.exec('COMMIT');
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    } finally {
      client.release(true);
    }
  } finally {
    source.close();
    await pool.end();
  }
  return counts;
}

async function copyTable(source: Database.Database, target: pg.ClientBase, table: (typeof TABLES)[number]): Promise<number> {
  const existing = await target.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table.name}`);
  if ((existing.rows[0]?.n ?? 0) > 0) throw new Error(`the target's ${table.name} table is not empty; migrate into an empty database (or schema)`);
  // A data directory last served by an older parley may lack tables added since (callback_outbox).
  if (source.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table.name) === undefined) return 0;
  // Columns added since the source's parley are left to the target's defaults.
  const present = new Set((source.prepare(`PRAGMA table_info(${table.name})`).all() as { name: string }[]).map((c) => c.name));
  const columns = table.columns.filter((c) => present.has(c));
  const booleans = new Set(table.booleans ?? []);
  const rows = source.prepare(`SELECT ${columns.join(', ')} FROM ${table.name}`).raw().iterate() as IterableIterator<unknown[]>;
  let batch: unknown[][] = [];
  let copied = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const values = batch.map((_row, r) => `(${columns.map((_c, c) => `$${r * columns.length + c + 1}`).join(', ')})`).join(', ');
    await target.query(`INSERT INTO ${table.name} (${columns.join(', ')}) VALUES ${values}`, batch.flat());
    copied += batch.length;
    batch = [];
  };
  for (const row of rows) {
    batch.push(row.map((value, i) => (booleans.has(columns[i] ?? '') ? value !== 0 : value)));
    if (batch.length === BATCH) await flush();
  }
  await flush();
  return copied;
}
