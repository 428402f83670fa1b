import type pg from 'pg';
import { type Content, NO_CONTENT, OUTBOX_COLUMNS, type OutboxRow, parseSubject, toClaimed, withContent } from '../rows.js';
import type { CallbackStore, ClaimedCallback, FailedCallback, LeasedCallback, NewCallback, Outbox, SettledCallback } from '../types.js';
import { transaction } from './connection.js';

/** A pool, or one connection inside a transaction: what a write runs its statements on. */
export type Queryable = pg.Pool | pg.PoolClient;

/**
 * Adds outbox rows on `q` (inside the caller's transaction), in one statement; answers the rows born
 * claimed (leasedUntil set) with their ids, for the listener once the transaction has committed.
 */
async function insert(q: Queryable, rows: readonly NewCallback[]): Promise<LeasedCallback[]> {
  if (rows.length === 0) return [];
  const result = await q.query<{ id: number; delivery_id: string }>({
    name: 'outbox-insert',
    text: `INSERT INTO callback_outbox (app, delivery_id, command, client_ip, body, created_at, attempts, next_attempt_at, subject)
           SELECT r.app, r.delivery_id, r.command, r.client_ip, r.body, r.created_at, CASE WHEN r.leased_until IS NULL THEN 0 ELSE 1 END, coalesce(r.leased_until, r.created_at), r.subject
           FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::text[])
             AS r(app, delivery_id, command, client_ip, body, created_at, leased_until, subject)
           RETURNING id, delivery_id`,
    values: [
      rows.map((r) => r.app),
      rows.map((r) => r.deliveryId),
      rows.map((r) => r.command),
      rows.map((r) => r.clientIp),
      rows.map((r) => r.storedBody ?? r.body),
      rows.map((r) => r.createdAt),
      rows.map((r) => r.leasedUntil ?? null),
      rows.map((r) => r.subject ?? ''),
    ],
  });
  const ids = new Map(result.rows.map((r) => [r.delivery_id, r.id]));
  const leased: LeasedCallback[] = [];
  for (const row of rows) {
    const id = ids.get(row.deliveryId);
    if (row.leasedUntil !== undefined && id !== undefined) leased.push({ ...row, leasedUntil: row.leasedUntil, id, attempts: 1 });
  }
  return leased;
}

/** The content of the messages some rows report, as it is now (none once recalled or gone), in one query. */
async function contents(q: Queryable, rows: readonly Pick<OutboxRow, 'app' | 'subject'>[]): Promise<Map<string, Content>> {
  const c2c: { app: number; from: string; to: string; seq: number; random: number; time: number; subject: string }[] = [];
  const group: { app: number; groupId: string; topicId: string; seq: number; subject: string }[] = [];
  for (const r of rows) {
    const m = r.subject === '' ? undefined : parseSubject(r.subject);
    if (m?.kind === 'c2c') c2c.push({ app: r.app, ...m, subject: r.subject });
    else if (m?.kind === 'group') group.push({ app: r.app, ...m, subject: r.subject });
  }
  const found = new Map<string, Content>();
  if (c2c.length > 0) {
    const result = await q.query<{ subject: string; body: string; ccd: string }>({
      name: 'outbox-c2c-content',
      text: `SELECT k.subject, m.body, m.cloud_custom_data AS ccd
             FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::text[]) AS k(app, from_account, to_account, seq, random, time, subject)
             JOIN c2c_messages m ON m.app = k.app AND m.from_account = k.from_account COLLATE "C" AND m.msg_seq = k.seq AND m.msg_random = k.random
               AND m.msg_time = k.time AND m.to_account = k.to_account COLLATE "C"`,
      values: [c2c.map((x) => x.app), c2c.map((x) => x.from), c2c.map((x) => x.to), c2c.map((x) => x.seq), c2c.map((x) => x.random), c2c.map((x) => x.time), c2c.map((x) => x.subject)],
    });
    for (const r of result.rows) found.set(r.subject, { body: r.body, cloudCustomData: r.ccd });
  }
  if (group.length > 0) {
    const result = await q.query<{ subject: string; body: string; ccd: string }>({
      name: 'outbox-group-content',
      text: `SELECT k.subject, m.body, m.cloud_custom_data AS ccd
             FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[]) AS k(app, group_id, topic_id, seq, subject)
             JOIN group_messages m ON m.app = k.app AND m.group_id = k.group_id COLLATE "C" AND m.topic_id = k.topic_id COLLATE "C" AND m.msg_seq = k.seq`,
      values: [group.map((x) => x.app), group.map((x) => x.groupId), group.map((x) => x.topicId), group.map((x) => x.seq), group.map((x) => x.subject)],
    });
    for (const r of result.rows) found.set(r.subject, { body: r.body, cloudCustomData: r.ccd });
  }
  return found;
}

/** Rows read back for delivery or listing: each body with its message's content as it is now. */
async function filled(q: Queryable, rows: readonly OutboxRow[]): Promise<ClaimedCallback[]> {
  const found = rows.some((r) => r.subject !== '') ? await contents(q, rows) : new Map<string, Content>();
  return rows.map((r) => {
    const c = toClaimed(r);
    return r.subject === '' ? c : { ...c, body: withContent(r.body, found.get(r.subject) ?? NO_CONTENT) };
  });
}

/**
 * How the store's writes add outbox rows: in the write's transaction, then, once it has committed,
 * the rows born claimed go to the listener (the dispatcher of this process).
 */
export interface OutboxWriter {
  /** A write with its hook: without one, on the pool as it is (no transaction round trips); with one, in a transaction that adds the hook's rows before COMMIT. */
  outboxed<O>(hook: Outbox<O> | undefined, work: (q: Queryable) => Promise<O>): Promise<O>;
  /** Runs `work` in a transaction; its `add` adds rows that commit with it. */
  transaction<O>(work: (client: pg.PoolClient, add: (rows: readonly NewCallback[]) => Promise<void>) => Promise<O>): Promise<O>;
  listen(listener: (rows: readonly LeasedCallback[]) => void): void;
}

export function outboxWriter(pool: pg.Pool): OutboxWriter {
  let listener: ((rows: readonly LeasedCallback[]) => void) | undefined;
  const writer: OutboxWriter = {
    async transaction(work) {
      let leased: LeasedCallback[] = [];
      const outcome = await transaction(pool, async (client) => {
        leased = []; // a retried transaction starts again
        return work(client, async (rows) => {
          leased.push(...(await insert(client, rows)));
        });
      });
      if (leased.length > 0) listener?.(leased);
      return outcome;
    },
    outboxed(hook, work) {
      if (hook === undefined) return work(pool);
      return writer.transaction(async (client, add) => {
        const outcome = await work(client);
        await add(hook(outcome));
        return outcome;
      });
    },
    listen(l) {
      listener = l;
    },
  };
  return writer;
}

/** The outbox operations of the Store contract on PostgreSQL. */
export function postgresOutbox(pool: pg.Pool, writer: OutboxWriter): CallbackStore {
  return {
    enqueueCallbacks: (rows) => writer.transaction((_client, add) => add(rows)),
    onCallbacksCommitted: (listener) => writer.listen(listener),
    async claimCallbacks(now: number, limit: number, leaseMs: number): Promise<readonly ClaimedCallback[]> {
      // SKIP LOCKED: nodes claiming at the same moment take different rows instead of waiting.
      const result = await pool.query<OutboxRow>({
        name: 'outbox-claim',
        text: `UPDATE callback_outbox o SET next_attempt_at = $2, attempts = o.attempts + 1
               FROM (SELECT id FROM callback_outbox WHERE failed_at IS NULL AND next_attempt_at <= $1
                     ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED) due
               WHERE o.id = due.id
               RETURNING o.id, o.app, o.delivery_id, o.command, o.client_ip, o.body, o.created_at, o.attempts, o.last_error, o.failed_at, o.subject`,
        values: [now, now + leaseMs, limit],
      });
      return filled(pool, result.rows);
    },
    async settleCallbacks(settled: readonly SettledCallback[]): Promise<void> {
      const delivered = settled.filter((x) => x.settlement.kind === 'delivered');
      const work: Promise<unknown>[] = [];
      if (delivered.length > 0) {
        work.push(
          pool.query({
            name: 'outbox-delivered',
            text: `DELETE FROM callback_outbox o USING unnest($1::bigint[], $2::int[]) AS d(id, attempts)
                   WHERE o.id = d.id AND o.attempts = d.attempts AND o.failed_at IS NULL`,
            values: [delivered.map((x) => x.id), delivered.map((x) => x.attempts)],
          }),
        );
      }
      for (const { id, attempts, settlement: s } of settled) {
        if (s.kind === 'retry') work.push(pool.query('UPDATE callback_outbox SET next_attempt_at = $3, last_error = $4 WHERE id = $1 AND attempts = $2 AND failed_at IS NULL', [id, attempts, s.at, s.error]));
        else if (s.kind === 'failed') work.push(pool.query('UPDATE callback_outbox SET failed_at = $3, last_error = $4 WHERE id = $1 AND attempts = $2 AND failed_at IS NULL', [id, attempts, s.at, s.error]));
      }
      await Promise.all(work);
    },
    async callbackBodies(ids: readonly number[]): Promise<ReadonlyMap<number, string>> {
      const result = await pool.query<OutboxRow>({ name: 'outbox-bodies', text: `SELECT ${OUTBOX_COLUMNS} FROM callback_outbox WHERE id = ANY($1::bigint[])`, values: [ids] });
      return new Map((await filled(pool, result.rows)).map((c) => [c.id, c.body]));
    },
    async failedCallbacks(app: number, limit: number, afterId: number): Promise<readonly FailedCallback[]> {
      const result = await pool.query<OutboxRow>(`SELECT ${OUTBOX_COLUMNS} FROM callback_outbox WHERE app = $1 AND failed_at IS NOT NULL AND id > $2 ORDER BY id LIMIT $3`, [app, afterId, limit]);
      const bodies = await filled(pool, result.rows);
      return result.rows.map((r, i) => ({ ...toClaimed(r), body: bodies[i]?.body ?? r.body, failedAt: r.failed_at ?? 0, lastError: r.last_error }));
    },
    async purgeFailedCallbacks(before: number): Promise<number> {
      const result = await pool.query('DELETE FROM callback_outbox WHERE failed_at IS NOT NULL AND failed_at < $1', [before]);
      return result.rowCount ?? 0;
    },
  };
}
