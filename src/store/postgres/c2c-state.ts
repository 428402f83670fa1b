import type pg from 'pg';
import type { C2CDeleteOutcome, C2CImport, C2CImportOutcome, C2CUnread, MsgKeyParts } from '../c2c-state-types.js';
import { transaction } from './connection.js';
import type { Queryable } from './outbox.js';

/** The conversation's pair as the history index keys it (JavaScript's order, as sqlite/c2c-state.ts). */
function pair(a: string, b: string): [string, string] {
  return a < b ? [a, b] : [b, a];
}

/**
 * Counts again what remains unread for $2 (user) from $3 (peer): the counted messages after
 * read_time the user has neither deleted nor seen recalled. $4, $5: the conversation's pair.
 */
const RECOUNT = `UPDATE c2c_read_state s SET unread = (
    SELECT count(*) FROM c2c_messages m
    WHERE m.app = $1 AND m.user_lo = $4 AND m.user_hi = $5 AND m.msg_time > s.read_time
      AND m.from_account = $3 AND m.to_account = $2 AND m.unread_counted AND NOT m.recalled AND NOT m.to_deleted)
  WHERE s.app = $1 AND s.user_id = $2 AND s.peer = $3`;

async function recount(q: Queryable, app: number, user: string, peer: string): Promise<void> {
  await q.query({ name: 'c2c-unread-recount', text: RECOUNT, values: [app, user, peer, ...pair(user, peer)] });
}

/** importmsg, delete_c2c_msg_ramble, admin_set_msg_read and get_c2c_unread_msg_num on PostgreSQL. */
export function postgresC2CState(pool: pg.Pool) {
  async function importC2C(app: number, m: C2CImport): Promise<C2CImportOutcome> {
    const [lo, hi] = pair(m.from, m.to);
    // One statement: both parties locked against a concurrent delete (FOR SHARE), the duplicate
    // look-up (either direction, content ignored), the insert and the receiver's unread counter.
    const result = await pool.query<{ from_ok: boolean; to_ok: boolean; stored: number }>({
      name: 'c2c-import',
      text: `WITH active AS (
               SELECT user_id FROM accounts WHERE app = $1 AND user_id IN ($2, $3) AND NOT deleted FOR SHARE
             ), dup AS (
               SELECT 1 FROM c2c_messages WHERE app = $1 AND msg_seq = $4 AND msg_random = $5 AND msg_time = $6
                 AND ((from_account = $2 AND to_account = $3) OR (from_account = $3 AND to_account = $2)) LIMIT 1
             ), stored AS (
               INSERT INTO c2c_messages (app, from_account, to_account, user_lo, user_hi, msg_seq, msg_random, msg_time, crc, body, cloud_custom_data, sender_sync, unread_counted)
               SELECT $1, $2, $3, $10, $11, $4, $5, $6, $7, $8, $9, true, $12
               WHERE EXISTS (SELECT 1 FROM active WHERE user_id = $2) AND EXISTS (SELECT 1 FROM active WHERE user_id = $3) AND NOT EXISTS (SELECT 1 FROM dup)
               ON CONFLICT DO NOTHING RETURNING to_account
             ), counted AS (
               INSERT INTO c2c_read_state (app, user_id, peer, unread) SELECT $1, to_account, $2, 1 FROM stored WHERE $12
               ON CONFLICT (app, user_id, peer) DO UPDATE SET unread = c2c_read_state.unread + CASE WHEN $6 > c2c_read_state.read_time THEN 1 ELSE 0 END
             )
             SELECT EXISTS (SELECT 1 FROM active WHERE user_id = $2) AS from_ok, EXISTS (SELECT 1 FROM active WHERE user_id = $3) AS to_ok,
               (SELECT count(*) FROM stored)::int AS stored`,
      values: [app, m.from, m.to, m.seq, m.random, m.time, m.crc, m.body, m.cloudCustomData, lo, hi, m.countUnread],
    });
    const row = result.rows[0];
    if (row === undefined || !row.from_ok) return 'sender_unknown';
    if (!row.to_ok) return 'recipient_unknown';
    return row.stored === 1 ? 'stored' : 'duplicate';
  }

  function deleteC2CForOwner(app: number, owner: string, peer: string, keys: readonly MsgKeyParts[]): Promise<C2CDeleteOutcome> {
    // $1 app, $2 owner, $3 peer, $4-$6 the keys' parts.
    const keyed = `FROM unnest($4::bigint[], $5::bigint[], $6::bigint[]) AS k(seq, random, time)
      WHERE m.app = $1 AND ((m.from_account = $2 AND m.to_account = $3) OR (m.from_account = $3 AND m.to_account = $2))
        AND m.msg_seq = k.seq AND m.msg_random = k.random AND m.msg_time = k.time`;
    const values = [app, owner, peer, keys.map((k) => k.seq), keys.map((k) => k.random), keys.map((k) => k.time)];
    return transaction(pool, async (client) => {
      const hidden = await client.query(
        `UPDATE c2c_messages m SET from_deleted = m.from_deleted OR m.from_account = $2, to_deleted = m.to_deleted OR m.to_account = $2 ${keyed}
           AND ((m.from_account = $2 AND NOT m.from_deleted) OR (m.to_account = $2 AND NOT m.to_deleted))`,
        values,
      );
      // Gone for both once the receiver deleted it and the sender did too or never had it (SyncOtherMachine 2).
      const destroyed = await client.query(
        `DELETE FROM c2c_messages m USING unnest($4::bigint[], $5::bigint[], $6::bigint[]) AS k(seq, random, time)
         WHERE m.app = $1 AND ((m.from_account = $2 AND m.to_account = $3) OR (m.from_account = $3 AND m.to_account = $2))
           AND m.msg_seq = k.seq AND m.msg_random = k.random AND m.msg_time = k.time AND m.to_deleted AND (m.from_deleted OR NOT m.sender_sync)`,
        values,
      );
      if ((hidden.rowCount ?? 0) > 0) await recount(client, app, owner, peer);
      return { hidden: hidden.rowCount ?? 0, destroyed: destroyed.rowCount ?? 0 };
    });
  }

  function setC2CRead(app: number, user: string, peer: string, readTime: number): Promise<void> {
    return transaction(pool, async (client) => {
      await client.query(
        `INSERT INTO c2c_read_state (app, user_id, peer, read_time) VALUES ($1, $2, $3, $4)
         ON CONFLICT (app, user_id, peer) DO UPDATE SET read_time = greatest(c2c_read_state.read_time, excluded.read_time)`,
        [app, user, peer, readTime],
      );
      await recount(client, app, user, peer);
    });
  }

  async function unreadC2C(app: number, user: string, peers: readonly string[]): Promise<C2CUnread> {
    const result = await pool.query<{ peer: string | null; unread: number }>(
      `SELECT NULL AS peer, coalesce(sum(unread), 0)::bigint AS unread FROM c2c_read_state WHERE app = $1 AND user_id = $2
       UNION ALL SELECT peer, unread FROM c2c_read_state WHERE app = $1 AND user_id = $2 AND peer = ANY($3::text[])`,
      [app, user, peers],
    );
    const byPeer = new Map(peers.map((p) => [p, 0]));
    let total = 0;
    for (const r of result.rows) {
      if (r.peer === null) total = r.unread;
      else byPeer.set(r.peer, r.unread);
    }
    return { total, byPeer };
  }

  return { importC2C, deleteC2CForOwner, setC2CRead, unreadC2C };
}

/** Up to when each party of a conversation has read what the other sent. */
export async function readTimes(q: Queryable, app: number, owner: string, peer: string): Promise<{ owner: number; peer: number }> {
  const result = await q.query<{ user_id: string; read_time: number }>({
    name: 'c2c-read-times',
    text: 'SELECT user_id, read_time FROM c2c_read_state WHERE app = $1 AND ((user_id = $2 AND peer = $3) OR (user_id = $3 AND peer = $2))',
    values: [app, owner, peer],
  });
  const of = (user: string) => result.rows.find((r) => r.user_id === user)?.read_time ?? 0;
  return { owner: of(owner), peer: of(peer) };
}
