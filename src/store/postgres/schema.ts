import type pg from 'pg';

/**
 * Migrations, applied in order; the parley_schema table counts how many have run. Append only: a
 * released migration is never edited. The tables mirror the SQLite store's (sqlite/schema.ts), in
 * PostgreSQL's types, identifiers in byte order (COLLATE "C", as SQLite's BINARY); every primary key starts with (app, …) and every message key with the
 * conversation or group, so a distributed engine can shard on them (docs/operations.md).
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE accounts (
    app BIGINT NOT NULL,
    user_id TEXT COLLATE "C" NOT NULL,
    nick TEXT NOT NULL DEFAULT '',
    face_url TEXT NOT NULL DEFAULT '',
    deleted BOOLEAN NOT NULL DEFAULT false,
    PRIMARY KEY (app, user_id)
  );

  CREATE TABLE c2c_messages (
    app BIGINT NOT NULL,
    from_account TEXT COLLATE "C" NOT NULL,
    to_account TEXT COLLATE "C" NOT NULL,
    user_lo TEXT COLLATE "C" NOT NULL,
    user_hi TEXT COLLATE "C" NOT NULL,
    msg_seq BIGINT NOT NULL,
    msg_random BIGINT NOT NULL,
    msg_time BIGINT NOT NULL,
    crc BIGINT NOT NULL,
    body TEXT NOT NULL,
    cloud_custom_data TEXT NOT NULL,
    sender_sync BOOLEAN NOT NULL,
    recalled BOOLEAN NOT NULL DEFAULT false,
    -- Identity of a message, and the dedup look-up (same sender, seq, random, recent time).
    PRIMARY KEY (app, from_account, msg_seq, msg_random, msg_time, to_account)
  );
  -- A conversation's history in time order.
  CREATE INDEX c2c_by_conversation ON c2c_messages (app, user_lo, user_hi, msg_time, msg_seq, msg_random);

  CREATE TABLE groups (
    app BIGINT NOT NULL,
    group_id TEXT COLLATE "C" NOT NULL,
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    owner TEXT NOT NULL,
    introduction TEXT NOT NULL,
    notification TEXT NOT NULL,
    face_url TEXT NOT NULL,
    max_member_count BIGINT NOT NULL,
    apply_join_option TEXT NOT NULL,
    invite_join_option TEXT NOT NULL,
    support_topic BOOLEAN NOT NULL,
    app_defined_data TEXT NOT NULL,
    create_time BIGINT NOT NULL,
    PRIMARY KEY (app, group_id)
  );

  CREATE TABLE group_members (
    app BIGINT NOT NULL,
    group_id TEXT COLLATE "C" NOT NULL,
    account TEXT COLLATE "C" NOT NULL,
    role TEXT NOT NULL,
    join_time BIGINT NOT NULL,
    name_card TEXT NOT NULL,
    msg_flag TEXT NOT NULL,
    last_send_time BIGINT NOT NULL DEFAULT 0,
    app_defined_data TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (app, group_id, account)
  );

  CREATE TABLE group_topics (
    app BIGINT NOT NULL,
    group_id TEXT COLLATE "C" NOT NULL,
    topic_id TEXT COLLATE "C" NOT NULL,
    name TEXT NOT NULL,
    from_account TEXT COLLATE "C" NOT NULL,
    custom_string TEXT NOT NULL,
    face_url TEXT NOT NULL,
    notification TEXT NOT NULL,
    introduction TEXT NOT NULL,
    create_time BIGINT NOT NULL,
    PRIMARY KEY (app, group_id, topic_id)
  );

  -- The MsgSeq counter of a group (topic_id '') and of each of its topics. A send takes the row's
  -- lock with its UPDATE and holds it to COMMIT: MsgSeq is gapless and unique across every node.
  CREATE TABLE group_seqs (
    app BIGINT NOT NULL,
    group_id TEXT COLLATE "C" NOT NULL,
    topic_id TEXT COLLATE "C" NOT NULL,
    last_seq BIGINT NOT NULL,
    last_time BIGINT NOT NULL,
    PRIMARY KEY (app, group_id, topic_id)
  );

  CREATE TABLE group_messages (
    app BIGINT NOT NULL,
    group_id TEXT COLLATE "C" NOT NULL,
    topic_id TEXT COLLATE "C" NOT NULL,
    msg_seq BIGINT NOT NULL,
    msg_random BIGINT NOT NULL,
    msg_time BIGINT NOT NULL,
    from_account TEXT COLLATE "C" NOT NULL,
    priority INTEGER NOT NULL,
    body TEXT NOT NULL,
    cloud_custom_data TEXT NOT NULL,
    recalled BOOLEAN NOT NULL DEFAULT false,
    -- The recipients of a targeted group message (JSON array of UserIDs); '' for the whole group.
    to_accounts TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (app, group_id, topic_id, msg_seq)
  );
  CREATE INDEX group_messages_by_random ON group_messages (app, group_id, topic_id, msg_random, msg_time);
  `,
  `
  -- Third-party after-callbacks, as in sqlite/schema.ts: committed with the write that caused them,
  -- claimed with FOR UPDATE SKIP LOCKED (a claim moves next_attempt_at to the end of its lease),
  -- removed once delivered; failed_at marks those whose retry schedule is spent.
  CREATE TABLE callback_outbox (
    id BIGSERIAL PRIMARY KEY,
    app BIGINT NOT NULL,
    delivery_id TEXT NOT NULL,
    command TEXT NOT NULL,
    client_ip TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    failed_at BIGINT
  );
  CREATE INDEX callback_outbox_due ON callback_outbox (next_attempt_at) WHERE failed_at IS NULL;
  CREATE INDEX callback_outbox_failed ON callback_outbox (app, id) WHERE failed_at IS NOT NULL;
  `,
  `
  -- One-to-one deletion, read state and unread counts, as in sqlite/schema.ts.
  ALTER TABLE c2c_messages ADD COLUMN from_deleted BOOLEAN NOT NULL DEFAULT false;
  ALTER TABLE c2c_messages ADD COLUMN to_deleted BOOLEAN NOT NULL DEFAULT false;
  ALTER TABLE c2c_messages ADD COLUMN unread_counted BOOLEAN NOT NULL DEFAULT true;
  CREATE TABLE c2c_read_state (
    app BIGINT NOT NULL,
    user_id TEXT COLLATE "C" NOT NULL,
    peer TEXT COLLATE "C" NOT NULL,
    read_time BIGINT NOT NULL DEFAULT 0,
    unread BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (app, user_id, peer)
  );
  -- Messages stored before this migration count as unread for their receivers.
  INSERT INTO c2c_read_state (app, user_id, peer, unread)
    SELECT app, to_account, from_account, count(*) FROM c2c_messages WHERE recalled = false GROUP BY app, to_account, from_account;
  `,
  `
  -- As in sqlite/schema.ts: a member's read position, and messages by sender.
  ALTER TABLE group_members ADD COLUMN read_seq BIGINT NOT NULL DEFAULT 0;
  CREATE INDEX group_messages_by_sender ON group_messages (app, group_id, from_account, msg_seq);
  `,
  `
  -- Group administration, as in sqlite/schema.ts.
  ALTER TABLE groups ADD COLUMN info_seq BIGINT NOT NULL DEFAULT 1;
  ALTER TABLE groups ADD COLUMN last_info_time BIGINT NOT NULL DEFAULT 0;
  ALTER TABLE groups ADD COLUMN mute_all BOOLEAN NOT NULL DEFAULT false;
  ALTER TABLE groups ADD COLUMN enable_permission BIGINT NOT NULL DEFAULT 0;
  ALTER TABLE groups ADD COLUMN default_permission BIGINT NOT NULL DEFAULT 0;
  ALTER TABLE groups ADD COLUMN app_member_defined_data TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE group_members ADD COLUMN mute_until BIGINT NOT NULL DEFAULT 0;
  CREATE INDEX group_members_by_join ON group_members (app, group_id, join_time, account);

  CREATE TABLE profiles (
    app BIGINT NOT NULL,
    user_id TEXT COLLATE "C" NOT NULL,
    tag TEXT COLLATE "C" NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (app, user_id, tag)
  );
  `,
  `
  -- The hourly archive (get_history) reads an app's messages of one hour in time order (archive.ts).
  CREATE INDEX c2c_by_time ON c2c_messages (app, msg_time);
  CREATE INDEX group_messages_by_time ON group_messages (app, msg_time);
  `,
  `
  -- Group lists and topic mutes, as in sqlite/schema.ts; existing rows get list_seq values in
  -- physical order, new groups the sequence's next value.
  ALTER TABLE groups ADD COLUMN list_seq BIGSERIAL;
  CREATE INDEX groups_by_list_seq ON groups (app, list_seq);
  CREATE INDEX group_members_by_account ON group_members (app, account, join_time, group_id);
  ALTER TABLE group_topics ADD COLUMN mute_all BOOLEAN NOT NULL DEFAULT false;
  `,
  `
  -- As in sqlite/schema.ts: the message whose content a callback reports.
  ALTER TABLE callback_outbox ADD COLUMN subject TEXT COLLATE "C" NOT NULL DEFAULT '';
  `,
];

/** One advisory lock key for migrations (any constant; "parley" in ASCII). */
const MIGRATION_LOCK = 0x7061726c6579;

/**
 * Brings the schema up to date in one transaction. Several nodes may start at once: the first
 * takes a transaction-scoped advisory lock and migrates; the others wait for it, then find
 * nothing left to do.
 */
export async function migrate(client: pg.ClientBase, schema: string | undefined): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${client.escapeIdentifier(schema)}`);
    await client.query('CREATE TABLE IF NOT EXISTS parley_schema (version INTEGER NOT NULL)');
    const found = await client.query<{ version: number }>('SELECT version FROM parley_schema');
    const current = found.rows[0]?.version ?? 0;
    if (current > MIGRATIONS.length) {
      throw new Error(`the database schema (version ${current}) is newer than this parley (${MIGRATIONS.length}); upgrade parley`);
    }
    for (let v = current; v < MIGRATIONS.length; v++) await client.query(MIGRATIONS[v] ?? '');
    if (found.rows.length === 0) await client.query('INSERT INTO parley_schema (version) VALUES ($1)', [MIGRATIONS.length]);
    else await client.query('UPDATE parley_schema SET version = $1', [MIGRATIONS.length]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
