import type pg from 'pg';
import type { C2CPatch, C2CRef, ModifyOutcome, NewCallback, Outbox } from '../types.js';
import type { OutboxWriter, Queryable } from './outbox.js';

/** The dedup fingerprint of modified content (as in c2c.ts): no CRC32 equals it. */
const NO_CRC = -1;

/** Modifications in one statement at most; more wait for the next. */
const MAX_BATCH = 256;

interface Pending {
  readonly app: number;
  readonly ref: C2CRef;
  readonly patch: C2CPatch;
  readonly key: string;
  /** The callbacks it adds when it applies: the batch then runs in a transaction with them. */
  readonly hook: Outbox<ModifyOutcome> | undefined;
  readonly resolve: (outcome: ModifyOutcome) => void;
  readonly reject: (error: unknown) => void;
}

interface Updated {
  app: number;
  from_account: string;
  msg_seq: number;
  msg_random: number;
  msg_time: number;
  to_account: string;
  body: string;
  cloud_custom_data: string;
}

const keyOf = (app: number, from: string, seq: number, random: number, time: number, to: string) => `${app}\u0000${from}\u0000${seq}\u0000${random}\u0000${time}\u0000${to}`;

/**
 * Group commit for modify_c2c_msg on PostgreSQL, as the write queue is for SQLite: the
 * modifications that arrive in one event-loop turn go to the server as one UPDATE over the whole
 * batch (one round trip, one commit, one WAL flush), and each caller is answered once that
 * statement has committed. Per call, that costs PostgreSQL about a seventh and the driver about a
 * third of what one statement each costs (measured, docs/benchmarks.md).
 *
 * A statement is atomic, so a batch commits whole or not at all; a message named twice in one turn
 * is modified in turn order, in the next statement. A modification that changes nothing (no such
 * message, recalled, too large after it) is told apart by one read, as the single statement does.
 */
export function modifyBatcher(pool: pg.Pool, writer: OutboxWriter) {
  let queue: Pending[] = [];

  function flush(): void {
    const taken = queue;
    queue = [];
    while (taken.length > 0) {
      // One statement may name each message once; a second modification of one waits for the next.
      const batch: Pending[] = [];
      const later: Pending[] = [];
      const named = new Set<string>();
      for (const p of taken) {
        if (batch.length < MAX_BATCH && !named.has(p.key)) {
          named.add(p.key);
          batch.push(p);
        } else {
          later.push(p);
        }
      }
      taken.splice(0, taken.length, ...later);
      if (later.length > 0) {
        // Later ones run after this batch has committed, so their order holds.
        void run(batch).then(() => {
          queue.unshift(...taken.splice(0));
          if (queue.length > 0) setImmediate(flush);
        });
        return;
      }
      void run(batch);
    }
  }

  /** The batch's one UPDATE: the messages it changed, as they now are. */
  async function update(q: Queryable, batch: readonly Pending[]): Promise<Updated[]> {
    const result = await q.query<Updated>({
      name: 'c2c-modify-batch',
      text: `UPDATE c2c_messages m
             SET body = coalesce(v.body, m.body), cloud_custom_data = coalesce(v.ccd, m.cloud_custom_data), crc = ${NO_CRC}
             FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::bigint[])
               AS v(app, from_account, msg_seq, msg_random, msg_time, to_account, body, ccd, max_size)
             WHERE m.app = v.app AND m.from_account = v.from_account COLLATE "C" AND m.msg_seq = v.msg_seq AND m.msg_random = v.msg_random
               AND m.msg_time = v.msg_time AND m.to_account = v.to_account COLLATE "C" AND NOT m.recalled
               AND octet_length(coalesce(v.body, m.body)) + octet_length(coalesce(v.ccd, m.cloud_custom_data)) <= v.max_size
             RETURNING m.app, m.from_account, m.msg_seq, m.msg_random, m.msg_time, m.to_account, m.body, m.cloud_custom_data`,
      values: [
        batch.map((p) => p.app),
        batch.map((p) => p.ref.from),
        batch.map((p) => p.ref.seq),
        batch.map((p) => p.ref.random),
        batch.map((p) => p.ref.time),
        batch.map((p) => p.ref.to),
        batch.map((p) => p.patch.body ?? null),
        batch.map((p) => p.patch.cloudCustomData ?? null),
        batch.map((p) => p.patch.maxSize),
      ],
    });
    return result.rows;
  }

  async function run(batch: readonly Pending[]): Promise<void> {
    let rows: Updated[];
    try {
      if (batch.some((p) => p.hook !== undefined)) {
        // The callbacks of the modifications that applied commit with them, in one transaction.
        rows = await writer.transaction(async (client, add) => {
          const updated = await update(client, batch);
          const done = new Map(updated.map((r) => [keyOf(r.app, r.from_account, r.msg_seq, r.msg_random, r.msg_time, r.to_account), r]));
          const callbacks: NewCallback[] = [];
          for (const p of batch) {
            const row = done.get(p.key);
            if (p.hook !== undefined && row !== undefined) callbacks.push(...p.hook({ kind: 'ok', body: row.body, cloudCustomData: row.cloud_custom_data }));
          }
          await add(callbacks);
          return updated;
        });
      } else {
        rows = await update(pool, batch);
      }
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    const done = new Map(rows.map((r) => [keyOf(r.app, r.from_account, r.msg_seq, r.msg_random, r.msg_time, r.to_account), r]));
    await Promise.all(
      batch.map(async (p) => {
        const row = done.get(p.key);
        if (row !== undefined) return p.resolve({ kind: 'ok', body: row.body, cloudCustomData: row.cloud_custom_data });
        try {
          p.resolve(await whyNot(p));
        } catch (error) {
          p.reject(error);
        }
      }),
    );
  }

  async function whyNot(p: Pending): Promise<ModifyOutcome> {
    const { ref } = p;
    const found = await pool.query<{ recalled: boolean }>({
      name: 'c2c-modify-why-not',
      text: 'SELECT recalled FROM c2c_messages WHERE app = $1 AND from_account = $2 AND msg_seq = $3 AND msg_random = $4 AND msg_time = $5 AND to_account = $6',
      values: [p.app, ref.from, ref.seq, ref.random, ref.time, ref.to],
    });
    const message = found.rows[0];
    if (message === undefined) return { kind: 'not_found' };
    return { kind: message.recalled ? 'recalled' : 'too_large' };
  }

  return {
    modify(app: number, ref: C2CRef, patch: C2CPatch, hook?: Outbox<ModifyOutcome>): Promise<ModifyOutcome> {
      return new Promise((resolve, reject) => {
        const key = keyOf(app, ref.from, ref.seq, ref.random, ref.time, ref.to);
        if (queue.push({ app, ref, patch, key, hook, resolve, reject }) === 1) setImmediate(flush);
      });
    },
  };
}
