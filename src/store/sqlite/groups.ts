import type { Database } from 'better-sqlite3';
import type {
  AddMemberResult,
  Group,
  GroupKind,
  GroupMember,
  GroupMessage,
  GroupSend,
  GroupSendOutcome,
  GroupType,
  NewGroup,
  NewTopic,
  Topic,
} from '../group-types.js';
import { GROUP_MESSAGE_COLUMNS, type GroupMessageRow, type GroupRow, MEMBER_COLUMNS, type MemberRow, TOPIC_COLUMNS, type TopicRow, toGroup, toGroupMessage, toMember, toTopic } from '../rows.js';
import type { ModifyOutcome } from '../types.js';
import { senderMuted } from '../mute.js';
import { generationBump, generationWatch } from './generations.js';
import type { WalScrubber } from './scrub.js';

/** A group message by its MsgSeq; bound positionally, as [app, groupId, topicId, seq] (cheaper than named). */
const AT_SEQ = 'app = ? AND group_id = ? AND topic_id = ? AND msg_seq = ?';

/**
 * Groups, members, topics and group history on SQLite: `writes` run inside the write queue.
 * `shared`: other processes write the same file (see generations.ts).
 */
export function sqliteGroups(db: Database, scrubber: WalScrubber, shared: boolean) {
  const groupExists = db.prepare('SELECT 1 FROM groups WHERE app = ? AND group_id = ?').pluck();
  const insertGroup = db.prepare(
    `INSERT INTO groups (app, group_id, type, name, owner, introduction, notification, face_url, max_member_count,
       apply_join_option, invite_join_option, support_topic, app_defined_data, create_time, enable_permission, default_permission, app_member_defined_data)
     VALUES (@app, @groupId, @type, @name, @owner, @introduction, @notification, @faceUrl, @maxMemberCount,
       @applyJoinOption, @inviteJoinOption, @supportTopic, @appDefinedData, @createTime, @enablePermission, @defaultPermission, @appMemberDefinedData)`,
  );
  const insertMember = db.prepare(
    `INSERT INTO group_members (app, group_id, account, role, join_time, name_card, msg_flag, app_defined_data)
     VALUES (@app, @groupId, @account, @role, @joinTime, @nameCard, @msgFlag, @appDefinedData) ON CONFLICT DO NOTHING`,
  );
  const insertSeq = db.prepare('INSERT INTO group_seqs (app, group_id, topic_id, last_seq, last_time) VALUES (?, ?, ?, 0, 0)');
  const selectGroup = db.prepare(
    `SELECT g.*, s.last_seq, s.last_time
     FROM groups g JOIN group_seqs s ON s.app = g.app AND s.group_id = g.group_id AND s.topic_id = ''
     WHERE g.app = ? AND g.group_id = ?`,
  );
    const selectMembers = db.prepare(`SELECT ${MEMBER_COLUMNS} FROM group_members WHERE app = ? AND group_id = ? ORDER BY join_time, account`);
  const selectMember = db.prepare(`SELECT ${MEMBER_COLUMNS} FROM group_members WHERE app = ? AND group_id = ? AND account = ?`);
  // A sender has read its own message: a send to the group itself (not a topic) moves its read position.
  // The send path's statements bind positionally (cheaper than named parameters from an object).
  const noteSent = db.prepare(
    "UPDATE group_members SET last_send_time = ?, read_seq = CASE WHEN ? = '' THEN ? ELSE read_seq END WHERE app = ? AND group_id = ? AND account = ?",
  );
  // The group's and (when one is named) the topic's whole-group mutes, and whether that topic exists, in one read.
  const sendTarget = db.prepare(
    `SELECT g.mute_all, t.mute_all AS topic_mute_all FROM groups g
     LEFT JOIN group_topics t ON t.app = g.app AND t.group_id = g.group_id AND t.topic_id = ?
     WHERE g.app = ? AND g.group_id = ?`,
  );
  const senderState = db.prepare('SELECT role, mute_until FROM group_members WHERE app = ? AND group_id = ? AND account = ?');
  const isMember = db.prepare('SELECT 1 FROM group_members WHERE app = ? AND group_id = ? AND account = ?').pluck();
  const memberCount = db.prepare('SELECT count(*) FROM group_members WHERE app = ? AND group_id = ?').pluck();
  const maxMembers = db.prepare('SELECT max_member_count FROM groups WHERE app = ? AND group_id = ?').pluck();
  const accountActive = db.prepare('SELECT 1 FROM accounts WHERE app = ? AND user_id = ? AND deleted = 0').pluck();
  const deleteMember = db.prepare("DELETE FROM group_members WHERE app = ? AND group_id = ? AND account = ? AND role <> 'Owner'");
  const destroy = ['group_messages', 'group_seqs', 'group_topics', 'group_members', 'groups'].map((table) =>
    db.prepare(`DELETE FROM ${table} WHERE app = ? AND group_id = ?`),
  );

  const topicExists = db.prepare('SELECT 1 FROM group_topics WHERE app = ? AND group_id = ? AND topic_id = ?').pluck();
  const insertTopic = db.prepare(
    `INSERT INTO group_topics (app, group_id, topic_id, name, from_account, custom_string, face_url, notification, introduction, create_time)
     VALUES (@app, @groupId, @topicId, @name, @fromAccount, @customString, @faceUrl, @notification, @introduction, @createTime)`,
  );
  const selectTopics = db.prepare(
    `SELECT ${TOPIC_COLUMNS} FROM group_topics t
     JOIN group_seqs s ON s.app = t.app AND s.group_id = t.group_id AND s.topic_id = t.topic_id
     WHERE t.app = ? AND t.group_id = ? ORDER BY t.create_time, t.topic_id`,
  );
  const selectTopic = db.prepare(
    `SELECT ${TOPIC_COLUMNS} FROM group_topics t
     JOIN group_seqs s ON s.app = t.app AND s.group_id = t.group_id AND s.topic_id = t.topic_id
     WHERE t.app = ? AND t.group_id = ? AND t.topic_id = ?`,
  );
  const destroyTopic = ['group_messages', 'group_seqs', 'group_topics'].map((table) =>
    db.prepare(`DELETE FROM ${table} WHERE app = ? AND group_id = ? AND topic_id = ?`),
  );

  const duplicate = db.prepare(
    'SELECT msg_seq, msg_time FROM group_messages WHERE app = ? AND group_id = ? AND topic_id = ? AND msg_random = ? AND msg_time >= ? AND recalled = 0 ORDER BY msg_seq LIMIT 1',
  );
  const nextSeq = db
    .prepare('UPDATE group_seqs SET last_seq = last_seq + 1, last_time = ? WHERE app = ? AND group_id = ? AND topic_id = ? RETURNING last_seq')
    .pluck();
  const insertMessage = db.prepare(
    `INSERT INTO group_messages (app, group_id, topic_id, msg_seq, msg_random, msg_time, from_account, priority, body, cloud_custom_data, to_accounts)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const history = db.prepare(
    `SELECT ${GROUP_MESSAGE_COLUMNS} FROM group_messages
     WHERE app = @app AND group_id = @groupId AND topic_id = @topicId AND msg_seq <= @toSeq AND (@withRecalled OR recalled = 0)
     ORDER BY msg_seq DESC LIMIT @limit`,
  );
  const findMessage = db.prepare(
    `SELECT ${GROUP_MESSAGE_COLUMNS} FROM group_messages WHERE ${AT_SEQ}`,
  );
  const recall = db.prepare(`UPDATE group_messages SET recalled = 1, body = '[]', cloud_custom_data = '' WHERE ${AT_SEQ}`);
  // The whole modification in one statement when it applies; otherwise findMessage tells why not.
  // Bound as: body, data, the message (AT_SEQ), body, data, maxSize.
  const update = db.prepare(
    `UPDATE group_messages SET body = coalesce(?, body), cloud_custom_data = coalesce(?, cloud_custom_data)
     WHERE ${AT_SEQ} AND recalled = 0
       AND length(CAST(coalesce(?, body) AS BLOB)) + length(CAST(coalesce(?, cloud_custom_data) AS BLOB)) <= ?`,
  );
  const storedBody = db.prepare(`SELECT body FROM group_messages WHERE ${AT_SEQ}`).pluck();
  const storedData = db.prepare(`SELECT cloud_custom_data FROM group_messages WHERE ${AT_SEQ}`).pluck();

  function send(app: number, m: GroupSend): GroupSendOutcome {
    const target = sendTarget.get(m.topicId, app, m.groupId) as { mute_all: number; topic_mute_all: number | null } | undefined;
    if (target === undefined) return { kind: 'group_not_found' };
    if (m.topicId !== '' && target.topic_mute_all === null) return { kind: 'topic_not_found' };
    if (m.memberOnly) {
      // The membership check reads the sender's mute too: no extra look-up on the send path.
      const sender = senderState.get(app, m.groupId, m.from) as { role: string; mute_until: number } | undefined;
      if (sender === undefined) return { kind: 'not_member' };
      const muted = senderMuted(sender.role, sender.mute_until, target.mute_all !== 0, target.topic_mute_all === 1, m.time);
      if (muted !== undefined) return muted;
    }
    const outsider = m.toAccounts.find((account) => isMember.get(app, m.groupId, account) === undefined);
    if (outsider !== undefined) return { kind: 'recipient_not_member', account: outsider };
    if (m.keep) {
      const first = duplicate.get(app, m.groupId, m.topicId, m.random, m.dedupSince) as { msg_seq: number; msg_time: number } | undefined;
      if (first !== undefined) return { kind: 'duplicate', seq: first.msg_seq, time: first.msg_time };
    }
    const seq = nextSeq.get(m.time, app, m.groupId, m.topicId) as number;
    if (m.keep) {
      const toAccounts = m.toAccounts.length === 0 ? '' : JSON.stringify(m.toAccounts);
      insertMessage.run(app, m.groupId, m.topicId, seq, m.random, m.time, m.from, m.priority, m.body, m.cloudCustomData, toAccounts);
    }
    noteSent.run(m.time, m.topicId, seq, app, m.groupId, m.from);
    return { kind: 'stored', seq, time: m.time };
  }

  function modify(app: number, groupId: string, topicId: string, seq: number, patch: { body?: string; cloudCustomData?: string; maxSize: number }): ModifyOutcome {
    const at = [app, groupId, topicId, seq];
    const body = patch.body ?? null;
    const data = patch.cloudCustomData ?? null;
    if (update.run(body, data, ...at, body, data, patch.maxSize).changes === 1) {
      scrubber.request();
      return {
        kind: 'ok',
        body: patch.body ?? (storedBody.get(at) as string),
        cloudCustomData: patch.cloudCustomData ?? (storedData.get(at) as string),
      };
    }
    const found = findMessage.get(at) as GroupMessageRow | undefined;
    if (found === undefined) return { kind: 'not_found' };
    return { kind: found.recalled !== 0 ? 'recalled' : 'too_large' };
  }

  const selectKind = db.prepare('SELECT type, support_topic FROM groups WHERE app = ? AND group_id = ?');
  const kinds = new Map<string, GroupKind>();
  const KINDS_CACHED = 100_000;
  // A kind never changes while its group lives; a group destroyed in another process (whose id
  // may then be reused) bumps the groups generation, and the cache is emptied when it moved.
  const movedElsewhere = generationWatch(db, 'groups', shared);
  const bumpGroups = generationBump(db, 'groups');

  const readsApi = {
    groupKind(app: number, groupId: string): Promise<GroupKind | undefined> {
      if (movedElsewhere()) kinds.clear();
      const key = `${app}\u0000${groupId}`;
      const known = kinds.get(key);
      if (known !== undefined) return Promise.resolve(known);
      const row = selectKind.get(app, groupId) as { type: string; support_topic: number } | undefined;
      if (row === undefined) return Promise.resolve(undefined);
      const kind: GroupKind = { groupId, type: row.type as GroupType, supportTopic: row.support_topic !== 0 };
      if (kinds.size >= KINDS_CACHED) {
        const oldest = kinds.keys().next();
        if (oldest.done !== true) kinds.delete(oldest.value);
      }
      kinds.set(key, kind);
      return Promise.resolve(kind);
    },

    /** Forgets a group's cached kind once its destruction is committed (its id may be reused). */
    groupChanged(app: number, groupId: string): void {
      kinds.delete(`${app}\u0000${groupId}`);
    },

    getGroup(app: number, groupId: string): Promise<Group | undefined> {
      const r = selectGroup.get(app, groupId) as GroupRow | undefined;
      if (r === undefined) return Promise.resolve(undefined);
      return Promise.resolve(toGroup(r));
    },

    groupMembers(app: number, groupId: string): Promise<readonly GroupMember[]> {
      return Promise.resolve((selectMembers.all(app, groupId) as MemberRow[]).map(toMember));
    },

    groupMember(app: number, groupId: string, account: string): Promise<GroupMember | undefined> {
      const row = selectMember.get(app, groupId, account) as MemberRow | undefined;
      return Promise.resolve(row === undefined ? undefined : toMember(row));
    },

    getTopics(app: number, groupId: string): Promise<readonly Topic[]> {
      return Promise.resolve((selectTopics.all(app, groupId) as TopicRow[]).map(toTopic));
    },

    getTopic(app: number, groupId: string, topicId: string): Promise<Topic | undefined> {
      const row = selectTopic.get(app, groupId, topicId) as TopicRow | undefined;
      return Promise.resolve(row === undefined ? undefined : toTopic(row));
    },

    groupHistory(app: number, groupId: string, topicId: string, toSeq: number, limit: number, withRecalled: boolean): Promise<readonly GroupMessage[]> {
      const rows = history.all({ app, groupId, topicId, toSeq, limit, withRecalled: withRecalled ? 1 : 0 }) as GroupMessageRow[];
      return Promise.resolve(rows.map(toGroupMessage));
    },
  };

  const writesApi = {
    createGroup(app: number, g: NewGroup): boolean {
      if (groupExists.get(app, g.groupId) !== undefined) return false;
      const { members, ...row } = g;
      insertGroup.run({
        app,
        ...row,
        supportTopic: g.supportTopic ? 1 : 0,
        enablePermission: g.enablePermission ?? 0,
        defaultPermission: g.defaultPermission ?? 0,
        appMemberDefinedData: g.appMemberDefinedData ?? '[]',
      });
      insertSeq.run(app, g.groupId, '');
      for (const m of members) {
        insertMember.run({
          app,
          groupId: g.groupId,
          account: m.account,
          role: m.role,
          joinTime: g.createTime,
          nameCard: m.nameCard ?? '',
          msgFlag: m.msgFlag ?? 'AcceptAndNotify',
          appDefinedData: m.appDefinedData ?? g.appMemberDefinedData ?? '[]',
        });
      }
      return true;
    },

    addGroupMembers(app: number, groupId: string, accounts: readonly string[], joinTime: number): ReadonlyMap<string, AddMemberResult> | 'group_not_found' | 'full' {
      const max = maxMembers.get(app, groupId) as number | undefined;
      if (max === undefined) return 'group_not_found';
      const results = new Map<string, AddMemberResult>();
      for (const account of accounts) {
        if (accountActive.get(app, account) === undefined) results.set(account, 'unknown_account');
        else if (isMember.get(app, groupId, account) !== undefined) results.set(account, 'already');
        else results.set(account, 'added');
      }
      const adding = [...results.values()].filter((r) => r === 'added').length;
      if ((memberCount.get(app, groupId) as number) + adding > max) return 'full';
      for (const [account, r] of results) {
        if (r === 'added') insertMember.run({ app, groupId, account, role: 'Member', joinTime, nameCard: '', msgFlag: 'AcceptAndNotify', appDefinedData: '[]' });
      }
      return results;
    },

    deleteGroupMembers(app: number, groupId: string, accounts: readonly string[]): 'ok' | 'group_not_found' {
      if (groupExists.get(app, groupId) === undefined) return 'group_not_found';
      for (const account of accounts) deleteMember.run(app, groupId, account);
      return 'ok';
    },

    destroyGroup(app: number, groupId: string): boolean {
      if (groupExists.get(app, groupId) === undefined) return false;
      for (const statement of destroy) statement.run(app, groupId);
      bumpGroups();
      scrubber.request();
      return true;
    },

    createTopic(app: number, t: NewTopic): 'created' | 'taken' | 'group_not_found' {
      if (groupExists.get(app, t.groupId) === undefined) return 'group_not_found';
      if (topicExists.get(app, t.groupId, t.topicId) !== undefined) return 'taken';
      insertTopic.run({ app, ...t });
      insertSeq.run(app, t.groupId, t.topicId);
      return 'created';
    },

    destroyTopic(app: number, groupId: string, topicId: string): boolean {
      if (topicExists.get(app, groupId, topicId) === undefined) return false;
      for (const statement of destroyTopic) statement.run(app, groupId, topicId);
      scrubber.request();
      return true;
    },

    sendGroupMessage: send,

    recallGroupMessage(app: number, groupId: string, topicId: string, seq: number): 'ok' | 'not_found' | 'recalled' {
      const at = [app, groupId, topicId, seq];
      const row = findMessage.get(at) as GroupMessageRow | undefined;
      if (row === undefined) return 'not_found';
      if (row.recalled !== 0) return 'recalled';
      recall.run(at);
      scrubber.request();
      return 'ok';
    },

    modifyGroupMessage: modify,
  };

  return { reads: readsApi, writes: writesApi };
}
