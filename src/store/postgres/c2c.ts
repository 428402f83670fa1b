import type pg from 'pg';
import { C2C_COLUMNS, type C2CRow, cutC2CPage, toC2CMessage } from '../rows.js';
import type { C2CPage, C2CPageQuery, C2CPatch, C2CRef, C2CSend, C2CSendOutcome, ModifyOutcome, Outbox, RecallOutcome } from '../types.js';
import { readTimes } from './c2c-state.js';
import { modifyBatcher } from './modify-batch.js';
import type { OutboxWriter, Queryable } from './outbox.js';

/** The dedup fingerprint of modified or recalled content: no CRC32 equals it (as in sqlite/c2c.ts). */
const NO_CRC = -1;

/** A message by its identity: $1 app, $2 from, $3 seq, $4 random, $5 time, $6 to. */
const REF = 'app = $1 AND from_account = $2 AND msg_seq = $3 AND msg_random = $4 AND msg_time = $5 AND to_account = $6';

function refValues(app: number, ref: C2CRef): unknown[] {
  return [app, ref.from, ref.seq, ref.random, ref.time, ref.to];
}

/** One-to-one history on PostgreSQL. */
export function postgresC2C(pool: pg.Pool, writer: OutboxWriter) {
  const { outboxed } = writer;
  // The modifications of one event-loop turn share one statement (and, with callbacks, one transaction).
  const batched = modifyBatcher(pool, writer);

  async function send(pool: Queryable, app: number, m: C2CSend): Promise<C2CSendOutcome> {
    const recipients = [...new Set(m.recipients)];
    // One statement, so one round trip and atomic on its own: the parties' rows are locked against
    // a concurrent delete (FOR SHARE), the dedup look-up and the insert see one snapshot, and
    // nothing is stored unless the sender is active and no equal message is in the window. A copy
    // whose key is taken is skipped (ON CONFLICT) and reported.
    const result = await pool.query<{ sender_active: boolean; first_time: number | null; active: string[]; stored: string[] }>({
      name: 'c2c-send',
      text: `WITH active AS (
               SELECT user_id FROM accounts WHERE app = $1 AND user_id = ANY($13::text[]) AND NOT deleted FOR SHARE
             ), first AS (
               SELECT msg_time FROM c2c_messages
               WHERE app = $1 AND from_account = $2 AND msg_seq = $3 AND msg_random = $4 AND msg_time >= $14 AND crc = $6
               ORDER BY msg_time LIMIT 1
             ), stored AS (
               INSERT INTO c2c_messages (app, from_account, to_account, user_lo, user_hi, msg_seq, msg_random, msg_time, crc, body, cloud_custom_data, sender_sync, unread_counted)
               SELECT $1, $2, r.to_account, r.lo, r.hi, $3, $4, $5, $6, $7, $8, $9, $15
               FROM unnest($10::text[], $11::text[], $12::text[]) AS r(to_account, lo, hi)
               WHERE r.to_account IN (SELECT user_id FROM active)
                 AND EXISTS (SELECT 1 FROM active WHERE user_id = $2)
                 AND NOT EXISTS (SELECT 1 FROM first)
               ON CONFLICT DO NOTHING RETURNING to_account
             ), counted AS (
               -- Each recipient's unread counter, in the same statement (so still one round trip).
               INSERT INTO c2c_read_state (app, user_id, peer, unread) SELECT $1, to_account, $2, 1 FROM stored WHERE $15
               ON CONFLICT (app, user_id, peer) DO UPDATE SET unread = c2c_read_state.unread + CASE WHEN $5 > c2c_read_state.read_time THEN 1 ELSE 0 END
             )
             SELECT EXISTS (SELECT 1 FROM active WHERE user_id = $2) AS sender_active, (SELECT msg_time FROM first) AS first_time,
               ARRAY(SELECT user_id FROM active) AS active, ARRAY(SELECT to_account FROM stored) AS stored`,
      values: [
        ...[app, m.from, m.seq, m.random, m.time, m.crc, m.body, m.cloudCustomData, m.senderSync, recipients],
        // The pair's order is JavaScript's, as the history read that looks it up computes it.
        recipients.map((to) => (m.from < to ? m.from : to)),
        recipients.map((to) => (m.from < to ? to : m.from)),
        [m.from, ...recipients],
        m.dedupSince,
        m.countUnread !== false,
      ],
    });
    const row = result.rows[0];
    if (row === undefined || !row.sender_active) return { kind: 'sender_unknown' };
    if (row.first_time !== null) return { kind: 'duplicate', time: row.first_time };
    const active = new Set(row.active);
    const stored = new Set(row.stored);
    const failed = new Map<string, 'recipient_unknown' | 'key_taken'>();
    for (const to of m.recipients) {
      if (!active.has(to)) failed.set(to, 'recipient_unknown');
      else if (!stored.has(to)) failed.set(to, 'key_taken');
    }
    return { kind: 'stored', failed };
  }

  async function recall(pool: Queryable, app: number, ref: C2CRef): Promise<RecallOutcome> {
    // One statement: the recall, and one less unread for the receiver when it was counted, unread and not deleted by it.
    const updated = await pool.query<{ n: number }>({
      name: 'c2c-recall',
      text: `WITH r AS (
               UPDATE c2c_messages SET recalled = true, body = '[]', cloud_custom_data = '', crc = ${NO_CRC} WHERE ${REF} AND NOT recalled
               RETURNING msg_time, unread_counted, to_deleted
             ), d AS (
               UPDATE c2c_read_state s SET unread = greatest(s.unread - 1, 0) FROM r
               WHERE s.app = $1 AND s.user_id = $6 AND s.peer = $2 AND r.unread_counted AND NOT r.to_deleted AND r.msg_time > s.read_time
             )
             SELECT count(*)::int AS n FROM r`,
      values: refValues(app, ref),
    });
    if (updated.rows[0]?.n === 1) return 'ok';
    const found = await pool.query(`SELECT 1 FROM c2c_messages WHERE ${REF}`, refValues(app, ref));
    return found.rowCount === 0 ? 'not_found' : 'recalled';
  }

  // Newest first; a message the owner sent with SyncOtherMachine=2 is not in the owner's roaming,
  // nor one the owner deleted (the owner is the party that is not $6, the peer).
  // $1 app, $2 lo, $3 hi, $4 minTime, $5 maxTime, $6 peer, $7 limit, then the cursor.
  const PAGE = `SELECT ${C2C_COLUMNS} FROM c2c_messages
     WHERE app = $1 AND user_lo = $2 AND user_hi = $3 AND msg_time BETWEEN $4 AND $5
       AND (sender_sync OR from_account = $6)
       AND NOT (from_account <> $6 AND from_deleted) AND NOT (to_account <> $6 AND to_deleted)`;
  const ORDER = 'ORDER BY msg_time DESC, msg_seq DESC, msg_random DESC LIMIT $7';

  async function page(app: number, q: C2CPageQuery): Promise<C2CPage> {
    const [lo, hi] = q.owner < q.peer ? [q.owner, q.peer] : [q.peer, q.owner];
    const values: unknown[] = [app, lo, hi, q.minTime, q.maxTime, q.peer, q.maxCount + 1];
    const result =
      q.before === undefined
        ? await pool.query<C2CRow>(`${PAGE} ${ORDER}`, values)
        : await pool.query<C2CRow>(`${PAGE} AND (msg_time, msg_seq, msg_random) < ($8, $9, $10) ${ORDER}`, [...values, q.before.time, q.before.seq, q.before.random]);
    const cut = cutC2CPage(result.rows, q.maxCount);
    let kept = cut.kept;
    if (cut.wholeKey !== undefined) {
      const k = cut.wholeKey;
      kept = (await pool.query<C2CRow>(`${PAGE} AND msg_time = $7 AND msg_seq = $8 AND msg_random = $9`, [...values.slice(0, 6), k.msg_time, k.msg_seq, k.msg_random])).rows;
    }
    // IsPeerRead: whether each message's receiver has read up to its time.
    const read = await readTimes(pool, app, q.owner, q.peer);
    const messages = kept.reverse().map((r) => ({ ...toC2CMessage(r), peerRead: r.msg_time <= (r.to_account === q.owner ? read.owner : read.peer) }));
    return { messages, complete: cut.complete };
  }

  return {
    // Without a hook, straight to the pool: no transaction, no closure.
    sendC2C: (app: number, m: C2CSend, hook?: Outbox<C2CSendOutcome>) => (hook === undefined ? send(pool, app, m) : outboxed(hook, (q) => send(q, app, m))),
    modifyC2C: (app: number, ref: C2CRef, patch: C2CPatch, hook?: Outbox<ModifyOutcome>) =>
      batched.modify(app, ref, patch, hook),
    recallC2C: (app: number, ref: C2CRef, hook?: Outbox<RecallOutcome>) => (hook === undefined ? recall(pool, app, ref) : outboxed(hook, (q) => recall(q, app, ref))),
    pageC2C: page,
  };
}
