import type pg from 'pg';
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
import { senderMuted } from '../mute.js';
import { GROUP_COLUMNS, GROUP_MESSAGE_COLUMNS, type GroupMessageRow, type GroupRow, MEMBER_COLUMNS, type MemberRow, TOPIC_COLUMNS, type TopicRow, toGroup, toGroupMessage, toMember, toTopic } from '../rows.js';
import type { ModifyOutcome, Outbox } from '../types.js';
import { transaction } from './connection.js';
import type { OutboxWriter, Queryable } from './outbox.js';

/** A message by its place: $1 app, $2 group, $3 topic, $4 seq. */
const AT_SEQ = 'app = $1 AND group_id = $2 AND topic_id = $3 AND msg_seq = $4';
const TOPIC_SELECT = `SELECT ${TOPIC_COLUMNS}
  FROM group_topics t JOIN group_seqs s ON s.app = t.app AND s.group_id = t.group_id AND s.topic_id = t.topic_id
  WHERE t.app = $1 AND t.group_id = $2`;

/**
 * Groups, members, topics and group history on PostgreSQL. Nothing is cached: a group destroyed
 * through another node may be created again with another type at once.
 */
export function postgresGroups(pool: pg.Pool, writer: OutboxWriter) {
  const { outboxed } = writer;

  async function send(app: number, m: GroupSend, hook?: Outbox<GroupSendOutcome>): Promise<GroupSendOutcome> {
    return writer.transaction(async (client, add) => {
      const outcome = await sendIn(client, app, m);
      if (hook !== undefined) await add(hook(outcome));
      return outcome;
    });
  }

  async function sendIn(client: pg.PoolClient, app: number, m: GroupSend): Promise<GroupSendOutcome> {
    // Taking the counter row's lock first serializes the group's sends (on every node) for the
    // rest of the transaction: the checks below cannot race a concurrent send or destroy.
    // The same read brings the group's and the topic's whole-group mutes (no topic row: the group itself).
    const seqRow = await client.query<{ last_seq: number; mute_all: boolean; topic_mute_all: boolean }>({
      name: 'group-seq-lock-mutes',
      text: `SELECT s.last_seq, g.mute_all, coalesce(t.mute_all, false) AS topic_mute_all
             FROM group_seqs s JOIN groups g ON g.app = s.app AND g.group_id = s.group_id
             LEFT JOIN group_topics t ON t.app = s.app AND t.group_id = s.group_id AND t.topic_id = s.topic_id
             WHERE s.app = $1 AND s.group_id = $2 AND s.topic_id = $3 FOR UPDATE OF s`,
      values: [app, m.groupId, m.topicId],
    });
    if (seqRow.rowCount === 0) {
      if (m.topicId === '') return { kind: 'group_not_found' };
      const group = await client.query('SELECT 1 FROM groups WHERE app = $1 AND group_id = $2', [app, m.groupId]);
      return { kind: group.rowCount === 0 ? 'group_not_found' : 'topic_not_found' };
    }
    const needed = m.memberOnly ? [m.from, ...m.toAccounts] : m.toAccounts;
    if (needed.length > 0) {
      // The membership check reads the sender's mute too: no extra round trip on the send path.
      const members = await client.query<{ account: string; role: string; mute_until: number }>({
        name: 'group-members-among-mute',
        text: 'SELECT account, role, mute_until FROM group_members WHERE app = $1 AND group_id = $2 AND account = ANY($3::text[])',
        values: [app, m.groupId, needed],
      });
      const found = new Set(members.rows.map((r) => r.account));
      if (m.memberOnly) {
        const sender = members.rows.find((r) => r.account === m.from);
        if (sender === undefined) return { kind: 'not_member' };
        const muted = senderMuted(sender.role, sender.mute_until, seqRow.rows[0]?.mute_all === true, seqRow.rows[0]?.topic_mute_all === true, m.time);
        if (muted !== undefined) return muted;
      }
      const outsider = m.toAccounts.find((account) => !found.has(account));
      if (outsider !== undefined) return { kind: 'recipient_not_member', account: outsider };
    }
    if (m.keep) {
      const first = await client.query<{ msg_seq: number; msg_time: number }>({
        name: 'group-duplicate',
        text: `SELECT msg_seq, msg_time FROM group_messages
               WHERE app = $1 AND group_id = $2 AND topic_id = $3 AND msg_random = $4 AND msg_time >= $5 AND NOT recalled
               ORDER BY msg_seq LIMIT 1`,
        values: [app, m.groupId, m.topicId, m.random, m.dedupSince],
      });
      const duplicate = first.rows[0];
      if (duplicate !== undefined) return { kind: 'duplicate', seq: duplicate.msg_seq, time: duplicate.msg_time };
    }
    // One round trip stores the message, advances the counter and notes the sender's last send.
    const seq = await client.query<{ last_seq: number }>({
      name: 'group-store-read',
      text: `WITH next AS (
               UPDATE group_seqs SET last_seq = last_seq + 1, last_time = $5
               WHERE app = $1 AND group_id = $2 AND topic_id = $3 RETURNING last_seq
             ), stored AS (
               INSERT INTO group_messages (app, group_id, topic_id, msg_seq, msg_random, msg_time, from_account, priority, body, cloud_custom_data, to_accounts)
               SELECT $1, $2, $3, last_seq, $4, $5, $6, $7, $8, $9, $10 FROM next WHERE $11::boolean
             ), noted AS (
               UPDATE group_members SET last_send_time = $5, read_seq = CASE WHEN $3 = '' THEN (SELECT last_seq FROM next) ELSE read_seq END
               WHERE app = $1 AND group_id = $2 AND account = $6
             )
             SELECT last_seq FROM next`,
      values: [
        app,
        m.groupId,
        m.topicId,
        m.random,
        m.time,
        m.from,
        m.priority,
        m.body,
        m.cloudCustomData,
        m.toAccounts.length === 0 ? '' : JSON.stringify(m.toAccounts),
        m.keep,
      ],
    });
    return { kind: 'stored', seq: seq.rows[0]?.last_seq ?? 0, time: m.time };
  }

  async function modify(
    pool: Queryable,
    app: number,
    groupId: string,
    topicId: string,
    seq: number,
    patch: { body?: string; cloudCustomData?: string; maxSize: number },
  ): Promise<ModifyOutcome> {
    const at = [app, groupId, topicId, seq];
    const updated = await pool.query<{ body: string; cloud_custom_data: string }>({
      name: 'group-modify',
      text: `UPDATE group_messages SET body = coalesce($5, body), cloud_custom_data = coalesce($6, cloud_custom_data)
             WHERE ${AT_SEQ} AND NOT recalled
               AND octet_length(coalesce($5, body)) + octet_length(coalesce($6, cloud_custom_data)) <= $7
             RETURNING body, cloud_custom_data`,
      values: [...at, patch.body ?? null, patch.cloudCustomData ?? null, patch.maxSize],
    });
    const row = updated.rows[0];
    if (row !== undefined) return { kind: 'ok', body: row.body, cloudCustomData: row.cloud_custom_data };
    const found = await pool.query<{ recalled: boolean }>(`SELECT recalled FROM group_messages WHERE ${AT_SEQ}`, at);
    const message = found.rows[0];
    if (message === undefined) return { kind: 'not_found' };
    return { kind: message.recalled ? 'recalled' : 'too_large' };
  }

  async function recallIn(pool: Queryable, app: number, groupId: string, topicId: string, seq: number): Promise<'ok' | 'not_found' | 'recalled'> {
    const at = [app, groupId, topicId, seq];
    const updated = await pool.query(`UPDATE group_messages SET recalled = true, body = '[]', cloud_custom_data = '' WHERE ${AT_SEQ} AND NOT recalled`, at);
    if (updated.rowCount === 1) return 'ok';
    const found = await pool.query(`SELECT 1 FROM group_messages WHERE ${AT_SEQ}`, at);
    return found.rowCount === 0 ? 'not_found' : 'recalled';
  }

  return {
    async createGroup(app: number, g: NewGroup): Promise<boolean> {
      return transaction(pool, async (client) => {
        const inserted = await client.query(
          `INSERT INTO groups (app, group_id, type, name, owner, introduction, notification, face_url, max_member_count,
             apply_join_option, invite_join_option, support_topic, app_defined_data, create_time, enable_permission, default_permission, app_member_defined_data)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) ON CONFLICT DO NOTHING`,
          [
            app,
            g.groupId,
            g.type,
            g.name,
            g.owner,
            g.introduction,
            g.notification,
            g.faceUrl,
            g.maxMemberCount,
            g.applyJoinOption,
            g.inviteJoinOption,
            g.supportTopic,
            g.appDefinedData,
            g.createTime,
            g.enablePermission ?? 0,
            g.defaultPermission ?? 0,
            g.appMemberDefinedData ?? '[]',
          ],
        );
        if (inserted.rowCount === 0) return false;
        await client.query("INSERT INTO group_seqs (app, group_id, topic_id, last_seq, last_time) VALUES ($1, $2, '', 0, 0)", [app, g.groupId]);
        if (g.members.length > 0) {
          await client.query(
            `INSERT INTO group_members (app, group_id, account, role, join_time, name_card, msg_flag, app_defined_data)
             SELECT $1, $2, m.account, m.role, $3, m.name_card, m.msg_flag, m.app_defined_data
             FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS m(account, role, name_card, msg_flag, app_defined_data)
             ON CONFLICT DO NOTHING`,
            [
              app,
              g.groupId,
              g.createTime,
              g.members.map((m) => m.account),
              g.members.map((m) => m.role),
              g.members.map((m) => m.nameCard ?? ''),
              g.members.map((m) => m.msgFlag ?? 'AcceptAndNotify'),
              g.members.map((m) => m.appDefinedData ?? g.appMemberDefinedData ?? '[]'),
            ],
          );
        }
        return true;
      });
    },

    async getGroup(app: number, groupId: string): Promise<Group | undefined> {
      const result = await pool.query<GroupRow>(
        `SELECT ${GROUP_COLUMNS}
         FROM groups g JOIN group_seqs s ON s.app = g.app AND s.group_id = g.group_id AND s.topic_id = ''
         WHERE g.app = $1 AND g.group_id = $2`,
        [app, groupId],
      );
      const r = result.rows[0];
      if (r === undefined) return undefined;
      return toGroup(r);
    },

    async groupKind(app: number, groupId: string): Promise<GroupKind | undefined> {
      const result = await pool.query<{ type: string; support_topic: boolean }>({
        name: 'group-kind',
        text: 'SELECT type, support_topic FROM groups WHERE app = $1 AND group_id = $2',
        values: [app, groupId],
      });
      const row = result.rows[0];
      return row === undefined ? undefined : { groupId, type: row.type as GroupType, supportTopic: row.support_topic };
    },

    async groupMembers(app: number, groupId: string): Promise<readonly GroupMember[]> {
      const result = await pool.query<MemberRow>(`SELECT ${MEMBER_COLUMNS} FROM group_members WHERE app = $1 AND group_id = $2 ORDER BY join_time, account`, [app, groupId]);
      return result.rows.map(toMember);
    },

    async groupMember(app: number, groupId: string, account: string): Promise<GroupMember | undefined> {
      const result = await pool.query<MemberRow>({
        name: 'group-member',
        text: `SELECT ${MEMBER_COLUMNS} FROM group_members WHERE app = $1 AND group_id = $2 AND account = $3`,
        values: [app, groupId, account],
      });
      const row = result.rows[0];
      return row === undefined ? undefined : toMember(row);
    },

    async addGroupMembers(app: number, groupId: string, accounts: readonly string[], joinTime: number): Promise<ReadonlyMap<string, AddMemberResult> | 'group_not_found' | 'full'> {
      return transaction(pool, async (client) => {
        // The group row's lock makes the count-then-insert below safe against concurrent adds.
        const group = await client.query<{ max_member_count: number }>('SELECT max_member_count FROM groups WHERE app = $1 AND group_id = $2 FOR UPDATE', [app, groupId]);
        const max = group.rows[0]?.max_member_count;
        if (max === undefined) return 'group_not_found';
        const active = await client.query<{ user_id: string }>('SELECT user_id FROM accounts WHERE app = $1 AND user_id = ANY($2::text[]) AND NOT deleted', [app, accounts]);
        const members = await client.query<{ account: string }>('SELECT account FROM group_members WHERE app = $1 AND group_id = $2 AND account = ANY($3::text[])', [
          app,
          groupId,
          accounts,
        ]);
        const activeIds = new Set(active.rows.map((r) => r.user_id));
        const memberIds = new Set(members.rows.map((r) => r.account));
        const results = new Map<string, AddMemberResult>();
        for (const account of accounts) {
          results.set(account, !activeIds.has(account) ? 'unknown_account' : memberIds.has(account) ? 'already' : 'added');
        }
        const adding = [...results].filter(([, r]) => r === 'added').map(([account]) => account);
        const count = await client.query<{ n: number }>('SELECT count(*) AS n FROM group_members WHERE app = $1 AND group_id = $2', [app, groupId]);
        if ((count.rows[0]?.n ?? 0) + adding.length > max) return 'full';
        if (adding.length > 0) {
          await client.query(
            `INSERT INTO group_members (app, group_id, account, role, join_time, name_card, msg_flag, app_defined_data)
             SELECT $1, $2, a, 'Member', $3, '', 'AcceptAndNotify', '[]' FROM unnest($4::text[]) AS a ON CONFLICT DO NOTHING`,
            [app, groupId, joinTime, adding],
          );
        }
        return results;
      });
    },

    async deleteGroupMembers(app: number, groupId: string, accounts: readonly string[]): Promise<'ok' | 'group_not_found'> {
      return transaction(pool, async (client) => {
        const group = await client.query('SELECT 1 FROM groups WHERE app = $1 AND group_id = $2 FOR UPDATE', [app, groupId]);
        if (group.rowCount === 0) return 'group_not_found';
        await client.query("DELETE FROM group_members WHERE app = $1 AND group_id = $2 AND account = ANY($3::text[]) AND role <> 'Owner'", [app, groupId, accounts]);
        return 'ok';
      });
    },

    async destroyGroup(app: number, groupId: string): Promise<boolean> {
      return transaction(pool, async (client) => {
        const group = await client.query('DELETE FROM groups WHERE app = $1 AND group_id = $2', [app, groupId]);
        if (group.rowCount === 0) return false;
        for (const table of ['group_messages', 'group_seqs', 'group_topics', 'group_members']) {
          await client.query(`DELETE FROM ${table} WHERE app = $1 AND group_id = $2`, [app, groupId]);
        }
        return true;
      });
    },

    async createTopic(app: number, t: NewTopic): Promise<'created' | 'taken' | 'group_not_found'> {
      return transaction(pool, async (client) => {
        const group = await client.query('SELECT 1 FROM groups WHERE app = $1 AND group_id = $2 FOR SHARE', [app, t.groupId]);
        if (group.rowCount === 0) return 'group_not_found';
        const inserted = await client.query(
          `INSERT INTO group_topics (app, group_id, topic_id, name, from_account, custom_string, face_url, notification, introduction, create_time)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
          [app, t.groupId, t.topicId, t.name, t.fromAccount, t.customString, t.faceUrl, t.notification, t.introduction, t.createTime],
        );
        if (inserted.rowCount === 0) return 'taken';
        await client.query('INSERT INTO group_seqs (app, group_id, topic_id, last_seq, last_time) VALUES ($1, $2, $3, 0, 0)', [app, t.groupId, t.topicId]);
        return 'created';
      });
    },

    async getTopics(app: number, groupId: string): Promise<readonly Topic[]> {
      const result = await pool.query<TopicRow>(`${TOPIC_SELECT} ORDER BY t.create_time, t.topic_id`, [app, groupId]);
      return result.rows.map(toTopic);
    },

    async getTopic(app: number, groupId: string, topicId: string): Promise<Topic | undefined> {
      const result = await pool.query<TopicRow>(`${TOPIC_SELECT} AND t.topic_id = $3`, [app, groupId, topicId]);
      const row = result.rows[0];
      return row === undefined ? undefined : toTopic(row);
    },

    async destroyTopic(app: number, groupId: string, topicId: string): Promise<boolean> {
      return transaction(pool, async (client) => {
        const topic = await client.query('DELETE FROM group_topics WHERE app = $1 AND group_id = $2 AND topic_id = $3', [app, groupId, topicId]);
        if (topic.rowCount === 0) return false;
        for (const table of ['group_messages', 'group_seqs']) {
          await client.query(`DELETE FROM ${table} WHERE app = $1 AND group_id = $2 AND topic_id = $3`, [app, groupId, topicId]);
        }
        return true;
      });
    },

    sendGroupMessage: send,

    async groupHistory(app: number, groupId: string, topicId: string, toSeq: number, limit: number, withRecalled: boolean): Promise<readonly GroupMessage[]> {
      const result = await pool.query<GroupMessageRow>({
        name: 'group-history',
        text: `SELECT ${GROUP_MESSAGE_COLUMNS} FROM group_messages
               WHERE app = $1 AND group_id = $2 AND topic_id = $3 AND msg_seq <= $4 AND ($5 OR NOT recalled)
               ORDER BY msg_seq DESC LIMIT $6`,
        values: [app, groupId, topicId, toSeq, withRecalled, limit],
      });
      return result.rows.map(toGroupMessage);
    },

    recallGroupMessage: (app: number, groupId: string, topicId: string, seq: number, hook?: Outbox<'ok' | 'not_found' | 'recalled'>) =>
      hook === undefined ? recallIn(pool, app, groupId, topicId, seq) : outboxed(hook, (q) => recallIn(q, app, groupId, topicId, seq)),

    modifyGroupMessage: (app: number, groupId: string, topicId: string, seq: number, patch: { body?: string; cloudCustomData?: string; maxSize: number }, hook?: Outbox<ModifyOutcome>) =>
      hook === undefined ? modify(pool, app, groupId, topicId, seq, patch) : outboxed(hook, (q) => modify(q, app, groupId, topicId, seq, patch)),
  };
}
