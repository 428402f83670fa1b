import type { Database } from 'better-sqlite3';
import { type Content, NO_CONTENT, OUTBOX_COLUMNS, type OutboxRow, parseSubject, toClaimed, withContent } from '../rows.js';
import type { ClaimedCallback, FailedCallback, LeasedCallback, NewCallback, SettledCallback } from '../types.js';
import type { WalScrubber } from './scrub.js';

/**
 * The callback outbox on SQLite. `add`, `claim`, `settle` and `purge` run inside the write queue's
 * transaction (so `add` commits with the write that caused its rows, and a claim is made by the one
 * writer there is, in this process or another); `due` and `failed` are plain reads.
 */
export function sqliteOutbox(db: Database, scrubber: WalScrubber) {
  const insert = db.prepare(
    `INSERT INTO callback_outbox (app, delivery_id, command, client_ip, body, created_at, attempts, next_attempt_at, subject)
     VALUES (@app, @deliveryId, @command, @clientIp, @body, @createdAt, @attempts, @nextAttemptAt, @subject)`,
  );
  const c2cContent = db.prepare(
    'SELECT body, cloud_custom_data AS cloudCustomData FROM c2c_messages WHERE app = ? AND from_account = ? AND msg_seq = ? AND msg_random = ? AND msg_time = ? AND to_account = ?',
  );
  const groupContent = db.prepare('SELECT body, cloud_custom_data AS cloudCustomData FROM group_messages WHERE app = ? AND group_id = ? AND topic_id = ? AND msg_seq = ?');
  /** The content of the message a row reports, as it is now: none once recalled or gone. */
  const contentOf = (app: number, subject: string): Content => {
    const m = parseSubject(subject);
    if (m === undefined) return NO_CONTENT;
    const found = (m.kind === 'c2c' ? c2cContent.get(app, m.from, m.seq, m.random, m.time, m.to) : groupContent.get(app, m.groupId, m.topicId, m.seq)) as Content | undefined;
    return found ?? NO_CONTENT;
  };
  /** A row read back for delivery or listing: its body with its message's content as it is now. */
  const filled = (r: OutboxRow): ClaimedCallback => {
    const c = toClaimed(r);
    return r.subject === '' ? c : { ...c, body: withContent(r.body, contentOf(r.app, r.subject)) };
  };
  const anyDue = db.prepare('SELECT 1 FROM callback_outbox WHERE failed_at IS NULL AND next_attempt_at <= ? LIMIT 1').pluck();
  const claim = db.prepare(
    `UPDATE callback_outbox SET next_attempt_at = @until, attempts = attempts + 1
     WHERE id IN (SELECT id FROM callback_outbox WHERE failed_at IS NULL AND next_attempt_at <= @now ORDER BY next_attempt_at LIMIT @limit)
     RETURNING ${OUTBOX_COLUMNS}`,
  );
  const remove = db.prepare('DELETE FROM callback_outbox WHERE id = ? AND attempts = ? AND failed_at IS NULL');
  const retry = db.prepare('UPDATE callback_outbox SET next_attempt_at = ?, last_error = ? WHERE id = ? AND attempts = ? AND failed_at IS NULL');
  const fail = db.prepare('UPDATE callback_outbox SET failed_at = ?, last_error = ? WHERE id = ? AND attempts = ? AND failed_at IS NULL');
  const bodies = db.prepare('SELECT id, app, body, subject FROM callback_outbox WHERE id IN (SELECT value FROM json_each(?))');
  const failed = db.prepare(`SELECT ${OUTBOX_COLUMNS} FROM callback_outbox WHERE app = ? AND failed_at IS NOT NULL AND id > ? ORDER BY id LIMIT ?`);
  const purge = db.prepare('DELETE FROM callback_outbox WHERE failed_at IS NOT NULL AND failed_at < ?');

  /** Rows born claimed that the open transaction added: handed to the listener if it commits. */
  let staged: LeasedCallback[] = [];
  let listener: ((rows: readonly LeasedCallback[]) => void) | undefined;

  return {
    add(rows: readonly NewCallback[]): void {
      for (const row of rows) {
        const leased = row.leasedUntil !== undefined;
        const { lastInsertRowid } = insert.run({
          app: row.app,
          deliveryId: row.deliveryId,
          command: row.command,
          clientIp: row.clientIp,
          body: row.storedBody ?? row.body,
          createdAt: row.createdAt,
          attempts: leased ? 1 : 0,
          nextAttemptAt: row.leasedUntil ?? row.createdAt,
          subject: row.subject ?? '',
        });
        if (row.leasedUntil !== undefined && listener !== undefined) staged.push({ ...row, leasedUntil: row.leasedUntil, id: Number(lastInsertRowid), attempts: 1 });
      }
    },
    /** The write queue's commit hooks: staged rows go to the listener, or are forgotten with their transaction. */
    hooks: {
      committed(): void {
        if (staged.length === 0) return;
        const rows = staged;
        staged = [];
        listener?.(rows);
      },
      rolledBack(): void {
        staged = [];
      },
    },
    listen(l: (rows: readonly LeasedCallback[]) => void): void {
      listener = l;
    },
    /** Whether a claim at `now` would find anything: a read, so an idle poll takes no write lock. */
    due(now: number): boolean {
      return anyDue.get(now) !== undefined;
    },
    claim(now: number, limit: number, leaseMs: number): ClaimedCallback[] {
      return (claim.all({ now, until: now + leaseMs, limit }) as OutboxRow[]).map(filled);
    },
    settle(settled: readonly SettledCallback[]): void {
      let removed = 0;
      for (const { id, attempts, settlement: s } of settled) {
        if (s.kind === 'delivered') removed += remove.run(id, attempts).changes;
        else if (s.kind === 'retry') retry.run(s.at, s.error, id, attempts);
        else fail.run(s.at, s.error, id, attempts);
      }
      // The bodies they carried may be content since modified or recalled: scrub the WAL of it too.
      if (removed > 0) scrubber.request();
    },
    bodies(ids: readonly number[]): Map<number, string> {
      return new Map(
        (bodies.all(JSON.stringify(ids)) as Pick<OutboxRow, 'id' | 'app' | 'body' | 'subject'>[]).map((r) => [r.id, r.subject === '' ? r.body : withContent(r.body, contentOf(r.app, r.subject))]),
      );
    },
    failed(app: number, limit: number, afterId: number): FailedCallback[] {
      return (failed.all(app, afterId, limit) as OutboxRow[]).map((r) => ({ ...filled(r), failedAt: r.failed_at ?? 0, lastError: r.last_error }));
    },
    purge(before: number): number {
      const changes = purge.run(before).changes;
      if (changes > 0) scrubber.request();
      return changes;
    },
  };
}
