import type pg from 'pg';
import { OUTBOX_COLUMNS, type OutboxRow, toClaimed } from '../rows.js';
import type { CallbackSettlement, CallbackStore, ClaimedCallback, FailedCallback, NewCallback, Outbox } from '../types.js';
import { transaction } from './connection.js';

/** A pool, or one connection inside a transaction: what a write runs its statements on. */
export type Queryable = pg.Pool | pg.PoolClient;

/** Adds outbox rows on `q` (inside the caller's transaction), in one statement. */
async function insert(q: Queryable, rows: readonly NewCallback[]): Promise<void> {
  if (rows.length === 0) return;
  await q.query({
    name: 'outbox-insert',
    text: `INSERT INTO callback_outbox (app, delivery_id, command, client_ip, body, created_at, next_attempt_at)
           SELECT r.app, r.delivery_id, r.command, r.client_ip, r.body, r.created_at, r.created_at
           FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[]) AS r(app, delivery_id, command, client_ip, body, created_at)`,
    values: [rows.map((r) => r.app), rows.map((r) => r.deliveryId), rows.map((r) => r.command), rows.map((r) => r.clientIp), rows.map((r) => r.body), rows.map((r) => r.createdAt)],
  });
}

/**
 * Runs a write with its outbox hook: without one, on the pool as before (one statement, no
 * transaction round trips); with one, in a transaction that adds the hook's rows before COMMIT, so
 * they commit with the write or not at all.
 */
export function withOutbox(pool: pg.Pool) {
  return <O>(hook: Outbox<O> | undefined, work: (q: Queryable) => Promise<O>): Promise<O> => {
    if (hook === undefined) return work(pool);
    return transaction(pool, async (client) => {
      const outcome = await work(client);
      await insert(client, hook(outcome));
      return outcome;
    });
  };
}

/** Adds the outbox rows of a write that already runs in a transaction on `client`. */
export const insertCallbacks = insert;

/** The outbox operations of the Store contract on PostgreSQL. */
export function postgresOutbox(pool: pg.Pool): CallbackStore {
  return {
    enqueueCallbacks: (rows) => insert(pool, rows),
    async claimCallbacks(now: number, limit: number, leaseMs: number): Promise<readonly ClaimedCallback[]> {
      // SKIP LOCKED: nodes claiming at the same moment take different rows instead of waiting.
      const result = await pool.query<OutboxRow>({
        name: 'outbox-claim',
        text: `UPDATE callback_outbox o SET next_attempt_at = $2, attempts = o.attempts + 1
               FROM (SELECT id FROM callback_outbox WHERE failed_at IS NULL AND next_attempt_at <= $1
                     ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED) due
               WHERE o.id = due.id
               RETURNING o.id, o.app, o.delivery_id, o.command, o.client_ip, o.body, o.created_at, o.attempts, o.last_error, o.failed_at`,
        values: [now, now + leaseMs, limit],
      });
      return result.rows.map(toClaimed);
    },
    async settleCallback(id: number, attempts: number, s: CallbackSettlement): Promise<void> {
      if (s.kind === 'delivered') await pool.query('DELETE FROM callback_outbox WHERE id = $1 AND attempts = $2 AND failed_at IS NULL', [id, attempts]);
      else if (s.kind === 'retry') await pool.query('UPDATE callback_outbox SET next_attempt_at = $3, last_error = $4 WHERE id = $1 AND attempts = $2 AND failed_at IS NULL', [id, attempts, s.at, s.error]);
      else await pool.query('UPDATE callback_outbox SET failed_at = $3, last_error = $4 WHERE id = $1 AND attempts = $2 AND failed_at IS NULL', [id, attempts, s.at, s.error]);
    },
    async failedCallbacks(app: number, limit: number, afterId: number): Promise<readonly FailedCallback[]> {
      const result = await pool.query<OutboxRow>(`SELECT ${OUTBOX_COLUMNS} FROM callback_outbox WHERE app = $1 AND failed_at IS NOT NULL AND id > $2 ORDER BY id LIMIT $3`, [app, afterId, limit]);
      return result.rows.map((r) => ({ ...toClaimed(r), failedAt: r.failed_at ?? 0, lastError: r.last_error }));
    },
    async purgeFailedCallbacks(before: number): Promise<number> {
      const result = await pool.query('DELETE FROM callback_outbox WHERE failed_at IS NOT NULL AND failed_at < $1', [before]);
      return result.rowCount ?? 0;
    },
  };
}
