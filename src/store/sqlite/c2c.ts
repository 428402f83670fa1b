import type { Database } from 'better-sqlite3';
import { C2C_COLUMNS, type C2CRow, cutC2CPage, toC2CMessage } from '../rows.js';
import type { C2CPage, C2CPageQuery, C2CPatch, C2CRef, C2CSend, C2CSendOutcome, ModifyOutcome, RecallOutcome } from '../types.js';
import type { ReadState } from './c2c-state.js';
import type { WalScrubber } from './scrub.js';

/**
 * The dedup fingerprint of a message whose content was modified or recalled: no CRC32 equals it,
 * so nothing dedups against destroyed content, and no fingerprint of it is kept.
 */
const NO_CRC = -1;

/**
 * A message by its key. Parameters are positional, bound by refArgs: on the hot paths, binding
 * from an array costs about half what binding named parameters from an object does.
 */
const REF = 'app = ? AND from_account = ? AND msg_seq = ? AND msg_random = ? AND msg_time = ? AND to_account = ?';

/** The values of REF's parameters, in its order. */
function refArgs(app: number, ref: C2CRef): [number, string, number, number, number, string] {
  return [app, ref.from, ref.seq, ref.random, ref.time, ref.to];
}

/** One-to-one writes; each runs inside the write queue's transaction. */
export function c2cWrites(db: Database, scrubber: WalScrubber, reads: ReadState) {
  const active = db.prepare('SELECT 1 FROM accounts WHERE app = ? AND user_id = ? AND deleted = 0').pluck();
  const findDuplicate = db
    .prepare(
      `SELECT msg_time FROM c2c_messages
       WHERE app = ? AND from_account = ? AND msg_seq = ? AND msg_random = ? AND msg_time >= ? AND crc = ?
       ORDER BY msg_time LIMIT 1`,
    )
    .pluck();
  // A key already taken (the same sender, MsgSeq, MsgRandom, time and receiver) inserts nothing:
  // the unique index c2c_by_key says so in the insert itself, with no look-up before it.
  const insert = db.prepare(
    `INSERT INTO c2c_messages (app, from_account, to_account, user_lo, user_hi, msg_seq, msg_random, msg_time, crc, body, cloud_custom_data, sender_sync, unread_counted)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT DO NOTHING`,
  );
  const findForUpdate = db.prepare(`SELECT recalled FROM c2c_messages WHERE ${REF}`);
  const recall = db.prepare(`UPDATE c2c_messages SET recalled = 1, body = '[]', cloud_custom_data = '', crc = ${NO_CRC} WHERE ${REF}`);
  // One statement does the whole modification when it can: the message exists, is not recalled,
  // and fits after the change. When it changes nothing, findForUpdate tells which check failed.
  // (RETURNING would cost more than reading back the one column a modification may leave alone.)
  // Bound as: body, data, the key, body, data, maxSize.
  const update = db.prepare(
    `UPDATE c2c_messages SET body = coalesce(?, body), cloud_custom_data = coalesce(?, cloud_custom_data), crc = ${NO_CRC}
     WHERE ${REF} AND recalled = 0
       AND length(CAST(coalesce(?, body) AS BLOB)) + length(CAST(coalesce(?, cloud_custom_data) AS BLOB)) <= ?`,
  );
  const storedBody = db.prepare(`SELECT body FROM c2c_messages WHERE ${REF}`).pluck();
  const storedData = db.prepare(`SELECT cloud_custom_data FROM c2c_messages WHERE ${REF}`).pluck();
  function send(app: number, m: C2CSend): C2CSendOutcome {
    if (active.get(app, m.from) === undefined) return { kind: 'sender_unknown' };
    const firstTime = findDuplicate.get(app, m.from, m.seq, m.random, m.dedupSince, m.crc) as number | undefined;
    if (firstTime !== undefined) return { kind: 'duplicate', time: firstTime };
    const failed = new Map<string, 'recipient_unknown' | 'key_taken'>();
    for (const to of m.recipients) {
      if (active.get(app, to) === undefined) {
        failed.set(to, 'recipient_unknown');
        continue;
      }
      const [lo, hi] = m.from < to ? [m.from, to] : [to, m.from];
      const counted = m.countUnread !== false;
      const stored = insert.run(app, m.from, to, lo, hi, m.seq, m.random, m.time, m.crc, m.body, m.cloudCustomData, m.senderSync ? 1 : 0, counted ? 1 : 0);
      if (stored.changes === 0) {
        failed.set(to, 'key_taken');
        continue;
      }
      if (counted) reads.counted(app, to, m.from, m.time);
    }
    return { kind: 'stored', failed };
  }

  function modify(app: number, ref: C2CRef, patch: C2CPatch): ModifyOutcome {
    const key = refArgs(app, ref);
    const body = patch.body ?? null;
    const data = patch.cloudCustomData ?? null;
    if (update.run(body, data, ...key, body, data, patch.maxSize).changes === 1) {
      scrubber.request();
      return {
        kind: 'ok',
        body: patch.body ?? (storedBody.get(key) as string),
        cloudCustomData: patch.cloudCustomData ?? (storedData.get(key) as string),
      };
    }
    const found = findForUpdate.get(key) as { recalled: number } | undefined;
    if (found === undefined) return { kind: 'not_found' };
    return { kind: found.recalled !== 0 ? 'recalled' : 'too_large' };
  }

  return {
    sendC2C: send,
    modifyC2C: modify,
    recallC2C(app: number, ref: C2CRef): RecallOutcome {
      const key = refArgs(app, ref);
      const row = findForUpdate.get(key) as { recalled: number } | undefined;
      if (row === undefined) return 'not_found';
      if (row.recalled !== 0) return 'recalled';
      recall.run(key);
      // A recalled message no longer counts as unread for its receiver.
      reads.recount(app, ref.to, ref.from);
      scrubber.request();
      return 'ok';
    },
  };
}

/** One-to-one history reads. */
export function c2cReads(db: Database, readTime: (app: number, user: string, peer: string) => number) {
  // Newest first; a message the owner sent with SyncOtherMachine=2 is not in the owner's roaming,
  // nor one the owner deleted (delete_c2c_msg_ramble): the owner is the party that is not @peer.
  const pageFirst = db.prepare(
    `SELECT ${C2C_COLUMNS} FROM c2c_messages
     WHERE app = @app AND user_lo = @lo AND user_hi = @hi AND msg_time BETWEEN @minTime AND @maxTime
       AND (sender_sync = 1 OR from_account = @peer)
       AND NOT (from_account <> @peer AND from_deleted = 1) AND NOT (to_account <> @peer AND to_deleted = 1)
     ORDER BY msg_time DESC, msg_seq DESC, msg_random DESC LIMIT @limit`,
  );
  const pageAfter = db.prepare(
    `SELECT ${C2C_COLUMNS} FROM c2c_messages
     WHERE app = @app AND user_lo = @lo AND user_hi = @hi AND msg_time BETWEEN @minTime AND @maxTime
       AND (msg_time, msg_seq, msg_random) < (@time, @seq, @random)
       AND (sender_sync = 1 OR from_account = @peer)
       AND NOT (from_account <> @peer AND from_deleted = 1) AND NOT (to_account <> @peer AND to_deleted = 1)
     ORDER BY msg_time DESC, msg_seq DESC, msg_random DESC LIMIT @limit`,
  );
  const sameKey = db.prepare(
    `SELECT ${C2C_COLUMNS} FROM c2c_messages
     WHERE app = @app AND user_lo = @lo AND user_hi = @hi AND msg_time = @time AND msg_seq = @seq AND msg_random = @random
       AND (sender_sync = 1 OR from_account = @peer)
       AND NOT (from_account <> @peer AND from_deleted = 1) AND NOT (to_account <> @peer AND to_deleted = 1)`,
  );

  function page(app: number, q: C2CPageQuery): C2CPage {
    const [lo, hi] = q.owner < q.peer ? [q.owner, q.peer] : [q.peer, q.owner];
    const params = { app, lo, hi, minTime: q.minTime, maxTime: q.maxTime, peer: q.peer, limit: q.maxCount + 1 };
    const rows = (q.before === undefined ? pageFirst.all(params) : pageAfter.all({ ...params, ...q.before })) as C2CRow[];
    const cut = cutC2CPage(rows, q.maxCount);
    const k = cut.wholeKey;
    const kept = k === undefined ? cut.kept : (sameKey.all({ app, lo, hi, peer: q.peer, time: k.msg_time, seq: k.msg_seq, random: k.msg_random }) as C2CRow[]);
    // IsPeerRead: whether each message's receiver has read up to its time.
    const ownerRead = readTime(app, q.owner, q.peer);
    const peerRead = readTime(app, q.peer, q.owner);
    const messages = kept.reverse().map((r) => ({ ...toC2CMessage(r), peerRead: r.msg_time <= (r.to_account === q.owner ? ownerRead : peerRead) }));
    return { messages, complete: cut.complete };
  }

  return {
    pageC2C: (app: number, query: C2CPageQuery): Promise<C2CPage> => Promise.resolve(page(app, query)),
  };
}
