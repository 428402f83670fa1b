import type { Database } from 'better-sqlite3';
import { c2cSubject, OUTBOX_COLUMNS, type OutboxRow, toClaimed } from '../rows.js';
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
  // A callback's content follows its message: only the keys its payload has are replaced.
  const rewrite = db.prepare(
    `UPDATE callback_outbox SET body = json_replace(body, '$.MsgBody', json(@body), '$.CloudCustomData', @cloudCustomData)
     WHERE app = @app AND subject = @subject`,
  );
  const NONE = `json_replace(body, '$.MsgBody', json('[]'), '$.CloudCustomData', '')`;
  const blankRecalledBySender = db.prepare(
    `UPDATE callback_outbox SET body = ${NONE}
     WHERE app = @app AND subject IN (
       SELECT 'grp' || char(31) || group_id || char(31) || topic_id || char(31) || msg_seq FROM group_messages
       WHERE app = @app AND group_id = @groupId AND from_account = @sender AND recalled = 1)`,
  );
  const blankIfGone = db.prepare(
    `UPDATE callback_outbox SET body = ${NONE}
     WHERE app = @app AND subject = @subject AND NOT EXISTS (
       SELECT 1 FROM c2c_messages WHERE app = @app AND from_account = @from AND msg_seq = @seq AND msg_random = @random AND msg_time = @time AND to_account = @to)`,
  );
  const blankRange = db.prepare(
    `UPDATE callback_outbox SET body = ${NONE} WHERE app = @app AND subject > @from AND subject < @to`,
  );
  const anyDue = db.prepare('SELECT 1 FROM callback_outbox WHERE failed_at IS NULL AND next_attempt_at <= ? LIMIT 1').pluck();
  const claim = db.prepare(
    `UPDATE callback_outbox SET next_attempt_at = @until, attempts = attempts + 1
     WHERE id IN (SELECT id FROM callback_outbox WHERE failed_at IS NULL AND next_attempt_at <= @now ORDER BY next_attempt_at LIMIT @limit)
     RETURNING ${OUTBOX_COLUMNS}`,
  );
  const remove = db.prepare('DELETE FROM callback_outbox WHERE id = ? AND attempts = ? AND failed_at IS NULL');
  const retry = db.prepare('UPDATE callback_outbox SET next_attempt_at = ?, last_error = ? WHERE id = ? AND attempts = ? AND failed_at IS NULL');
  const fail = db.prepare('UPDATE callback_outbox SET failed_at = ?, last_error = ? WHERE id = ? AND attempts = ? AND failed_at IS NULL');
  const bodies = db.prepare('SELECT id, body FROM callback_outbox WHERE id IN (SELECT value FROM json_each(?))');
  const failed = db.prepare(`SELECT ${OUTBOX_COLUMNS} FROM callback_outbox WHERE app = ? AND failed_at IS NOT NULL AND id > ? ORDER BY id LIMIT ?`);
  const purge = db.prepare('DELETE FROM callback_outbox WHERE failed_at IS NOT NULL AND failed_at < ?');

  /**
   * Whether any row names a message, as far as the open transaction knows (undefined: not looked
   * yet). A rewrite with nothing to rewrite costs one look per transaction, not one per write.
   */
  let anySubject: boolean | undefined;
  const hasSubject = db.prepare("SELECT 1 FROM callback_outbox WHERE subject <> '' LIMIT 1").pluck();
  const mayHold = (): boolean => (anySubject ??= hasSubject.get() !== undefined);
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
          body: row.body,
          createdAt: row.createdAt,
          attempts: leased ? 1 : 0,
          nextAttemptAt: row.leasedUntil ?? row.createdAt,
          subject: row.subject ?? '',
        });
        if (row.subject !== undefined && row.subject !== '') anySubject = true;
        if (row.leasedUntil !== undefined && listener !== undefined) staged.push({ ...row, leasedUntil: row.leasedUntil, id: Number(lastInsertRowid), attempts: 1 });
      }
    },
    /** The write queue's commit hooks: staged rows go to the listener, or are forgotten with their transaction. */
    hooks: {
      committed(): void {
        anySubject = undefined;
        if (staged.length === 0) return;
        const rows = staged;
        staged = [];
        listener?.(rows);
      },
      rolledBack(): void {
        anySubject = undefined;
        staged = [];
      },
    },
    listen(l: (rows: readonly LeasedCallback[]) => void): void {
      listener = l;
    },
    /** The callbacks not yet delivered of one message carry its content as it now is. */
    rewrite(app: number, subject: string, content: { readonly body: string; readonly cloudCustomData: string }): void {
      if (!mayHold()) return;
      if (rewrite.run({ app, subject, body: content.body, cloudCustomData: content.cloudCustomData }).changes > 0) scrubber.request();
    },
    /** The callbacks not yet delivered of every message under a subject prefix (a group, a topic) carry no content. */
    blank(app: number, prefix: string): void {
      if (!mayHold()) return;
      // The prefix ends with U+001F; every subject under it sorts before the same prefix ending in U+0020.
      if (blankRange.run({ app, from: prefix, to: `${prefix.slice(0, -1)} ` }).changes > 0) scrubber.request();
    },
    /** The callbacks not yet delivered of a sender's recalled messages in a group carry no content. */
    blankRecalledBySender(app: number, groupId: string, sender: string): void {
      if (!mayHold()) return;
      if (blankRecalledBySender.run({ app, groupId, sender }).changes > 0) scrubber.request();
    },
    /** The callbacks not yet delivered of a one-to-one message that no longer exists carry no content. */
    blankIfGone(app: number, from: string, to: string, key: { readonly seq: number; readonly random: number; readonly time: number }): void {
      if (!mayHold()) return;
      const subject = c2cSubject(from, to, key.seq, key.random, key.time);
      if (blankIfGone.run({ app, subject, from, to, ...key }).changes > 0) scrubber.request();
    },
    /** Whether a claim at `now` would find anything: a read, so an idle poll takes no write lock. */
    due(now: number): boolean {
      return anyDue.get(now) !== undefined;
    },
    claim(now: number, limit: number, leaseMs: number): ClaimedCallback[] {
      return (claim.all({ now, until: now + leaseMs, limit }) as OutboxRow[]).map(toClaimed);
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
      return new Map((bodies.all(JSON.stringify(ids)) as { id: number; body: string }[]).map((r) => [r.id, r.body]));
    },
    failed(app: number, limit: number, afterId: number): FailedCallback[] {
      return (failed.all(app, afterId, limit) as OutboxRow[]).map((r) => ({ ...toClaimed(r), failedAt: r.failed_at ?? 0, lastError: r.last_error }));
    },
    purge(before: number): number {
      const changes = purge.run(before).changes;
      if (changes > 0) scrubber.request();
      return changes;
    },
  };
}
