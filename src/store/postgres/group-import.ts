import type pg from 'pg';
import type { ImportedMember, ImportedMessage, ImportMemberResult, ImportMessageOutcome } from '../group-import-types.js';
import { transaction } from './connection.js';

interface GroupFacts {
  create_time: number;
  max_member_count: number;
  last_seq: number;
  last_time: number;
}

/**
 * Imported members and messages, read positions and deletion by sender on PostgreSQL. Each call is
 * one transaction that first locks the group's counter row, so it serializes with sends and other
 * imports to the group on every node.
 */
export function postgresGroupImport(pool: pg.Pool) {
  async function lockGroup(client: pg.PoolClient, app: number, groupId: string): Promise<GroupFacts | undefined> {
    const found = await client.query<GroupFacts>(
      `SELECT g.create_time, g.max_member_count, s.last_seq, s.last_time
       FROM groups g JOIN group_seqs s ON s.app = g.app AND s.group_id = g.group_id AND s.topic_id = ''
       WHERE g.app = $1 AND g.group_id = $2 FOR UPDATE OF s`,
      [app, groupId],
    );
    return found.rows[0];
  }

  return {
    importGroupMembers(app: number, groupId: string, members: readonly ImportedMember[], now: number): Promise<ReadonlyMap<string, ImportMemberResult> | 'group_not_found' | 'full'> {
      return transaction(pool, async (client) => {
        const group = await lockGroup(client, app, groupId);
        if (group === undefined) return 'group_not_found';
        // The group row's lock, as add_group_member takes it, keeps the count-then-insert safe.
        await client.query('SELECT 1 FROM groups WHERE app = $1 AND group_id = $2 FOR UPDATE', [app, groupId]);
        const accounts = [...new Set(members.map((m) => m.account))];
        const active = await client.query<{ user_id: string }>('SELECT user_id FROM accounts WHERE app = $1 AND user_id = ANY($2::text[]) AND NOT deleted', [app, accounts]);
        const already = await client.query<{ account: string }>('SELECT account FROM group_members WHERE app = $1 AND group_id = $2 AND account = ANY($3::text[])', [app, groupId, accounts]);
        const activeIds = new Set(active.rows.map((r) => r.user_id));
        const memberIds = new Set(already.rows.map((r) => r.account));
        const results = new Map<string, ImportMemberResult>();
        const adding: ImportedMember[] = [];
        for (const m of members) {
          if (results.has(m.account)) continue;
          const result = !activeIds.has(m.account) ? 'unknown_account' : memberIds.has(m.account) ? 'already' : m.joinTime < group.create_time || m.joinTime > now ? 'bad_time' : 'added';
          results.set(m.account, result);
          if (result === 'added') adding.push(m);
        }
        const count = await client.query<{ n: number }>('SELECT count(*) AS n FROM group_members WHERE app = $1 AND group_id = $2', [app, groupId]);
        if ((count.rows[0]?.n ?? 0) + adding.length > group.max_member_count) return 'full';
        if (adding.length > 0) {
          await client.query(
            `INSERT INTO group_members (app, group_id, account, role, join_time, name_card, msg_flag, app_defined_data, read_seq)
             SELECT $1, $2, m.account, m.role, m.join_time, '', 'AcceptAndNotify', '[]', m.read_seq
             FROM unnest($3::text[], $4::text[], $5::bigint[], $6::bigint[]) AS m(account, role, join_time, read_seq)`,
            [app, groupId, adding.map((m) => m.account), adding.map((m) => m.role), adding.map((m) => m.joinTime), adding.map((m) => group.last_seq - Math.min(m.unread ?? 0, group.last_seq))],
          );
        }
        return results;
      });
    },

    importGroupMessages(app: number, groupId: string, messages: readonly ImportedMessage[], now: number, dedupSeconds: number): Promise<readonly ImportMessageOutcome[] | 'group_not_found'> {
      return transaction(pool, async (client) => {
        const group = await lockGroup(client, app, groupId);
        if (group === undefined) return 'group_not_found';
        let newest = group.last_time;
        let lastSeq = group.last_seq;
        const outcomes: ImportMessageOutcome[] = [];
        for (const m of messages) {
          const first = !m.dedup
            ? undefined
            : (
                await client.query<{ msg_seq: number; msg_time: number }>(
                  `SELECT msg_seq, msg_time FROM group_messages
                   WHERE app = $1 AND group_id = $2 AND topic_id = '' AND msg_random = $3 AND msg_time BETWEEN $4::bigint - $5 AND $4::bigint + $5 AND NOT recalled
                   ORDER BY msg_seq LIMIT 1`,
                  [app, groupId, m.random, m.time, dedupSeconds],
                )
              ).rows[0];
          if (first !== undefined) {
            outcomes.push({ kind: 'duplicate', seq: first.msg_seq, time: first.msg_time });
          } else if (m.time > now || m.time < group.create_time || m.time < newest) {
            outcomes.push({ kind: 'bad_time', time: m.time });
          } else {
            lastSeq += 1;
            await client.query(
              `INSERT INTO group_messages (app, group_id, topic_id, msg_seq, msg_random, msg_time, from_account, priority, body, cloud_custom_data, to_accounts)
               VALUES ($1, $2, '', $3, $4, $5, $6, 2, $7, $8, '')`,
              [app, groupId, lastSeq, m.random, m.time, m.from, m.body, m.cloudCustomData],
            );
            await client.query('UPDATE group_members SET last_send_time = greatest(last_send_time, $4) WHERE app = $1 AND group_id = $2 AND account = $3', [app, groupId, m.from, m.time]);
            newest = m.time;
            outcomes.push({ kind: 'stored', seq: lastSeq, time: m.time });
          }
        }
        if (lastSeq !== group.last_seq) {
          await client.query("UPDATE group_seqs SET last_seq = $3, last_time = $4 WHERE app = $1 AND group_id = $2 AND topic_id = ''", [app, groupId, lastSeq, newest]);
          // Tencent: after an import every member's unread count is 0.
          await client.query('UPDATE group_members SET read_seq = $3 WHERE app = $1 AND group_id = $2', [app, groupId, lastSeq]);
        }
        return outcomes;
      });
    },

    setUnreadMsgNum(app: number, groupId: string, account: string, unread: number): Promise<'ok' | 'group_not_found' | 'not_member'> {
      return transaction(pool, async (client) => {
        const group = await lockGroup(client, app, groupId);
        if (group === undefined) return 'group_not_found';
        const updated = await client.query('UPDATE group_members SET read_seq = $4 WHERE app = $1 AND group_id = $2 AND account = $3', [
          app,
          groupId,
          account,
          group.last_seq - Math.min(unread, group.last_seq),
        ]);
        return updated.rowCount === 0 ? 'not_member' : 'ok';
      });
    },

    async deleteGroupMessagesBySender(app: number, groupId: string, sender: string, window: number): Promise<number | 'group_not_found'> {
      const updated = await pool.query(
        `WITH grp AS (SELECT 1 FROM groups WHERE app = $1 AND group_id = $2),
         recalled AS (
           UPDATE group_messages m SET recalled = true, body = '[]', cloud_custom_data = ''
           FROM group_seqs s
           WHERE m.app = $1 AND m.group_id = $2 AND m.from_account = $3 AND NOT m.recalled
             AND s.app = m.app AND s.group_id = m.group_id AND s.topic_id = m.topic_id AND m.msg_seq > s.last_seq - $4
           RETURNING 1
         )
         SELECT (SELECT count(*) FROM grp) AS found, (SELECT count(*) FROM recalled) AS deleted`,
        [app, groupId, sender, window],
      );
      const row = updated.rows[0] as { found: number; deleted: number } | undefined;
      if (row === undefined || row.found === 0) return 'group_not_found';
      return row.deleted;
    },
  };
}
