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
  `
  CREATE TABLE groups (
    app INTEGER NOT NULL,
    group_id TEXT NOT NULL,
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    owner TEXT NOT NULL,
    introduction TEXT NOT NULL,
    notification TEXT NOT NULL,
    face_url TEXT NOT NULL,
    max_member_count INTEGER NOT NULL,
    apply_join_option TEXT NOT NULL,
    invite_join_option TEXT NOT NULL,
    support_topic INTEGER NOT NULL,
    app_defined_data TEXT NOT NULL,
    create_time INTEGER NOT NULL,
    PRIMARY KEY (app, group_id)
  ) WITHOUT ROWID;

  CREATE TABLE group_members (
    app INTEGER NOT NULL,
    group_id TEXT NOT NULL,
    account TEXT NOT NULL,
    role TEXT NOT NULL,
    join_time INTEGER NOT NULL,
    name_card TEXT NOT NULL,
    msg_flag TEXT NOT NULL,
    PRIMARY KEY (app, group_id, account)
  ) WITHOUT ROWID;

  CREATE TABLE group_topics (
    app INTEGER NOT NULL,
    group_id TEXT NOT NULL,
    topic_id TEXT NOT NULL,
    name TEXT NOT NULL,
    from_account TEXT NOT NULL,
    custom_string TEXT NOT NULL,
    face_url TEXT NOT NULL,
    notification TEXT NOT NULL,
    introduction TEXT NOT NULL,
    create_time INTEGER NOT NULL,
    PRIMARY KEY (app, group_id, topic_id)
  ) WITHOUT ROWID;

  -- The MsgSeq counter of a group (topic_id '') and of each of its topics.
  CREATE TABLE group_seqs (
    app INTEGER NOT NULL,
    group_id TEXT NOT NULL,
    topic_id TEXT NOT NULL,
    last_seq INTEGER NOT NULL,
    last_time INTEGER NOT NULL,
    PRIMARY KEY (app, group_id, topic_id)
  ) WITHOUT ROWID;

  CREATE TABLE group_messages (
    id INTEGER PRIMARY KEY,
    app INTEGER NOT NULL,
    group_id TEXT NOT NULL,
    topic_id TEXT NOT NULL,
    msg_seq INTEGER NOT NULL,
    msg_random INTEGER NOT NULL,
    msg_time INTEGER NOT NULL,
    from_account TEXT NOT NULL,
    priority INTEGER NOT NULL,
    body TEXT NOT NULL,
    cloud_custom_data TEXT NOT NULL,
    recalled INTEGER NOT NULL DEFAULT 0
  );
  CREATE UNIQUE INDEX group_messages_by_seq ON group_messages (app, group_id, topic_id, msg_seq);
  CREATE INDEX group_messages_by_random ON group_messages (app, group_id, topic_id, msg_random, msg_time);
  `,
  `
  -- When a member last sent a message to the group, and the member's AppMemberDefinedData (JSON).
  ALTER TABLE group_members ADD COLUMN last_send_time INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE group_members ADD COLUMN app_defined_data TEXT NOT NULL DEFAULT '[]';
  -- The recipients of a targeted group message (JSON array of UserIDs); '' for the whole group.
  ALTER TABLE group_messages ADD COLUMN to_accounts TEXT NOT NULL DEFAULT '';
  `,
  `
  -- Counters bumped in the same transaction as a write that other processes' caches must see
  -- (account import and delete, group destroy); see generations.ts.
  CREATE TABLE generations (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
  ) WITHOUT ROWID;
  INSERT INTO generations (name, value) VALUES ('accounts', 0), ('groups', 0);
  `,
  `
  -- Third-party after-callbacks, each committed with the write that caused it and removed once
  -- delivered (see outbox.ts). A claim moves next_attempt_at to the end of its lease; failed_at is
  -- set when the retry schedule is spent, and the row stays for the failed list until purged.
  CREATE TABLE callback_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    app INTEGER NOT NULL,
    delivery_id TEXT NOT NULL,
    command TEXT NOT NULL,
    client_ip TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    failed_at INTEGER
  );
  CREATE INDEX callback_outbox_due ON callback_outbox (next_attempt_at) WHERE failed_at IS NULL;
  CREATE INDEX callback_outbox_failed ON callback_outbox (app, id) WHERE failed_at IS NOT NULL;
  `,
  `
  -- One-to-one deletion, read state and unread counts (delete_c2c_msg_ramble, admin_set_msg_read,
  -- get_c2c_unread_msg_num). A message one party deleted is hidden from that party's history; once
  -- both have, the row is deleted. unread_counted: the message counts as unread for its receiver
  -- (not for NoUnread sends or history imports).
  ALTER TABLE c2c_messages ADD COLUMN from_deleted INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE c2c_messages ADD COLUMN to_deleted INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE c2c_messages ADD COLUMN unread_counted INTEGER NOT NULL DEFAULT 1;
  -- What user_id has read of its conversation with peer: every message from peer up to read_time,
  -- and how many counted messages after it remain unread (kept in step by every write).
  CREATE TABLE c2c_read_state (
    app INTEGER NOT NULL,
    user_id TEXT NOT NULL,
    peer TEXT NOT NULL,
    read_time INTEGER NOT NULL DEFAULT 0,
    unread INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (app, user_id, peer)
  ) WITHOUT ROWID;
  -- Messages stored before this migration count as unread for their receivers.
  INSERT INTO c2c_read_state (app, user_id, peer, unread)
    SELECT app, to_account, from_account, count(*) FROM c2c_messages WHERE recalled = 0 GROUP BY app, to_account, from_account;
  `,
  `
  -- The MsgSeq up to which a member has read the group (get_group_info's member MsgSeq); the member's
  -- unread count is the group's last MsgSeq minus it. Set by import_group_member, import_group_msg
  -- and set_unread_msg_num.
  ALTER TABLE group_members ADD COLUMN read_seq INTEGER NOT NULL DEFAULT 0;
  -- Messages by sender, for delete_group_msg_by_sender.
  CREATE INDEX group_messages_by_sender ON group_messages (app, group_id, from_account, msg_seq);
  `,
  `
  -- Group administration (group-admin.ts): the profile's change counter and time (0: never changed,
  -- CreateTime stands), ShutUpAllMember, create_group's permission fields and top-level
  -- AppMemberDefinedData; members' mutes (read positions: read_seq, above).
  ALTER TABLE groups ADD COLUMN info_seq INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE groups ADD COLUMN last_info_time INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE groups ADD COLUMN mute_all INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE groups ADD COLUMN enable_permission INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE groups ADD COLUMN default_permission INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE groups ADD COLUMN app_member_defined_data TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE group_members ADD COLUMN mute_until INTEGER NOT NULL DEFAULT 0;
  -- Member pages in join order.
  CREATE INDEX group_members_by_join ON group_members (app, group_id, join_time, account);

  -- Profile tags other than Nick and FaceUrl (those stay in accounts); value is JSON text.
  CREATE TABLE profiles (
    app INTEGER NOT NULL,
    user_id TEXT NOT NULL,
    tag TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (app, user_id, tag)
  ) WITHOUT ROWID;
  `,
  `
  -- The hourly archive (get_history) reads an app's messages of one hour in time order (archive.ts).
  CREATE INDEX c2c_by_time ON c2c_messages (app, msg_time);
  CREATE INDEX group_messages_by_time ON group_messages (app, msg_time);
  `,
  `
  -- Group lists (group-lists.ts). list_seq orders an app's groups for get_appid_group_list's Next:
  -- each group gets the next value of a counter that never goes back, so a cursor neither skips
  -- nor repeats a group while others are created or destroyed. Existing groups are numbered in
  -- creation order.
  CREATE TABLE group_list_counter (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
  ALTER TABLE groups ADD COLUMN list_seq INTEGER NOT NULL DEFAULT 0;
  UPDATE groups SET list_seq = (
    SELECT n FROM (SELECT app AS a, group_id AS g, row_number() OVER (ORDER BY create_time, app, group_id) AS n FROM groups)
    WHERE a = groups.app AND g = groups.group_id);
  INSERT INTO group_list_counter (id, value) VALUES (1, (SELECT count(*) FROM groups));
  CREATE TRIGGER groups_list_seq AFTER INSERT ON groups BEGIN
    UPDATE group_list_counter SET value = value + 1 WHERE id = 1;
    UPDATE groups SET list_seq = (SELECT value FROM group_list_counter WHERE id = 1) WHERE app = NEW.app AND group_id = NEW.group_id;
  END;
  CREATE INDEX groups_by_list_seq ON groups (app, list_seq);
  -- get_joined_group_list: an account's groups in join order.
  CREATE INDEX group_members_by_account ON group_members (app, account, join_time, group_id);
  -- modify_topic's MuteAllMember (get_topic's ShutUpAllFlag).
  ALTER TABLE group_topics ADD COLUMN mute_all INTEGER NOT NULL DEFAULT 0;
  `,
  `
  -- The message whose content a callback reports (rows.ts): the row keeps none of that content,
  -- a delivery reads it from the message as it then is, as decisions §5 promises.
  ALTER TABLE callback_outbox ADD COLUMN subject TEXT NOT NULL DEFAULT '';
  `,
];

/**
 * Brings the schema up to date inside one transaction. The version is read inside it, under the
 * write lock, so processes starting together on one file run each migration once.
 */
export function migrate(db: Database): void {
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > MIGRATIONS.length) {
      throw new Error(`the database schema (version ${current}) is newer than this parley (${MIGRATIONS.length}); upgrade parley`);
    }
    if (current === MIGRATIONS.length) return;
    for (let v = current; v < MIGRATIONS.length; v++) {
      db.exec(MIGRATIONS[v] ?? '');
    }
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}
