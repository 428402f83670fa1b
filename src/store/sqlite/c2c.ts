import type { Database } from 'better-sqlite3';
import type { C2CMessage, C2CPage, C2CPageQuery, C2CPatch, C2CRef, C2CSend, C2CSendOutcome, C2CStore, ModifyOutcome } from '../types.js';
import type { WalScrubber } from './scrub.js';
import type { WriteQueue } from './write-queue.js';

interface MessageRow {
  from_account: string;
  to_account: string;
  msg_seq: number;
  msg_random: number;
  msg_time: number;
  body: string;
  cloud_custom_data: string;
  recalled: number;
}

const COLUMNS = 'from_account, to_account, msg_seq, msg_random, msg_time, body, cloud_custom_data, recalled';
const REF = 'app = @app AND from_account = @from AND msg_seq = @seq AND msg_random = @random AND msg_time = @time AND to_account = @to';

function toMessage(r: MessageRow): C2CMessage {
  return {
    from: r.from_account,
    to: r.to_account,
    seq: r.msg_seq,
    random: r.msg_random,
    time: r.msg_time,
    body: r.body,
    cloudCustomData: r.cloud_custom_data,
    recalled: r.recalled !== 0,
  };
}

/** One-to-one history on SQLite. */
export function sqliteC2C(db: Database, writes: WriteQueue, scrubber: WalScrubber): C2CStore {
  const active = db.prepare('SELECT 1 FROM accounts WHERE app = ? AND user_id = ? AND deleted = 0').pluck();
  const findDuplicate = db
    .prepare(
      `SELECT msg_time FROM c2c_messages
       WHERE app = ? AND from_account = ? AND msg_seq = ? AND msg_random = ? AND msg_time >= ? AND crc = ?
       ORDER BY msg_time LIMIT 1`,
    )
    .pluck();
  const keyTaken = db.prepare(`SELECT 1 FROM c2c_messages WHERE ${REF}`).pluck();
  const insert = db.prepare(
    `INSERT INTO c2c_messages (app, from_account, to_account, user_lo, user_hi, msg_seq, msg_random, msg_time, crc, body, cloud_custom_data, sender_sync)
     VALUES (@app, @from, @to, @lo, @hi, @seq, @random, @time, @crc, @body, @ccd, @senderSync)`,
  );
  const findForUpdate = db.prepare(`SELECT recalled, length(CAST(body AS BLOB)) AS body_size, length(CAST(cloud_custom_data AS BLOB)) AS ccd_size FROM c2c_messages WHERE ${REF}`);
  const findOne = db.prepare(`SELECT ${COLUMNS} FROM c2c_messages WHERE ${REF}`);
  const recall = db.prepare(`UPDATE c2c_messages SET recalled = 1, body = '[]', cloud_custom_data = '' WHERE ${REF}`);
  const setBody = db.prepare(`UPDATE c2c_messages SET body = @body WHERE ${REF}`);
  const setCloudCustomData = db.prepare(`UPDATE c2c_messages SET cloud_custom_data = @ccd WHERE ${REF}`);
  const setBoth = db.prepare(`UPDATE c2c_messages SET body = @body, cloud_custom_data = @ccd WHERE ${REF}`);
  // Newest first; a message the owner sent with SyncOtherMachine=2 is not in the owner's roaming.
  const pageFirst = db.prepare(
    `SELECT ${COLUMNS} FROM c2c_messages
     WHERE app = @app AND user_lo = @lo AND user_hi = @hi AND msg_time BETWEEN @minTime AND @maxTime
       AND (sender_sync = 1 OR from_account = @peer)
     ORDER BY msg_time DESC, msg_seq DESC, msg_random DESC LIMIT @limit`,
  );
  const pageAfter = db.prepare(
    `SELECT ${COLUMNS} FROM c2c_messages
     WHERE app = @app AND user_lo = @lo AND user_hi = @hi AND msg_time BETWEEN @minTime AND @maxTime
       AND (msg_time, msg_seq, msg_random) < (@time, @seq, @random)
       AND (sender_sync = 1 OR from_account = @peer)
     ORDER BY msg_time DESC, msg_seq DESC, msg_random DESC LIMIT @limit`,
  );
  const sameKey = db.prepare(
    `SELECT ${COLUMNS} FROM c2c_messages
     WHERE app = @app AND user_lo = @lo AND user_hi = @hi AND msg_time = @time AND msg_seq = @seq AND msg_random = @random
       AND (sender_sync = 1 OR from_account = @peer)`,
  );

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
      const ref = { app, from: m.from, to, seq: m.seq, random: m.random, time: m.time };
      if (keyTaken.get(ref) !== undefined) {
        failed.set(to, 'key_taken');
        continue;
      }
      const [lo, hi] = m.from < to ? [m.from, to] : [to, m.from];
      insert.run({ ...ref, lo, hi, crc: m.crc, body: m.body, ccd: m.cloudCustomData, senderSync: m.senderSync ? 1 : 0 });
    }
    return { kind: 'stored', failed };
  }

  function page(app: number, q: C2CPageQuery): C2CPage {
    const [lo, hi] = q.owner < q.peer ? [q.owner, q.peer] : [q.peer, q.owner];
    const params = { app, lo, hi, minTime: q.minTime, maxTime: q.maxTime, peer: q.peer, limit: q.maxCount + 1 };
    const rows = (q.before === undefined ? pageFirst.all(params) : pageAfter.all({ ...params, ...q.before })) as MessageRow[];
    const complete = rows.length <= q.maxCount;
    let kept = rows.slice(0, q.maxCount);
    const next = rows[q.maxCount];
    const last = kept[kept.length - 1];
    if (next !== undefined && last !== undefined && sameIdentity(next, last)) {
      // Never split messages that share one MsgKey across pages: the cursor could not tell them apart.
      kept = kept.filter((r) => !sameIdentity(r, last));
      if (kept.length === 0) {
        kept = sameKey.all({ app, lo, hi, peer: q.peer, time: last.msg_time, seq: last.msg_seq, random: last.msg_random }) as MessageRow[];
      }
    }
    return { messages: kept.reverse().map(toMessage), complete };
  }

  function modify(app: number, ref: C2CRef, patch: C2CPatch): ModifyOutcome<C2CMessage> {
    const params = { app, ...ref };
    const row = findForUpdate.get(params) as { recalled: number; body_size: number; ccd_size: number } | undefined;
    if (row === undefined) return { kind: 'not_found' };
    if (row.recalled !== 0) return { kind: 'recalled' };
    const bodySize = patch.body === undefined ? row.body_size : Buffer.byteLength(patch.body);
    const ccdSize = patch.cloudCustomData === undefined ? row.ccd_size : Buffer.byteLength(patch.cloudCustomData);
    if (bodySize + ccdSize > patch.maxSize) return { kind: 'too_large' };
    if (patch.body !== undefined && patch.cloudCustomData !== undefined) setBoth.run({ ...params, body: patch.body, ccd: patch.cloudCustomData });
    else if (patch.body !== undefined) setBody.run({ ...params, body: patch.body });
    else if (patch.cloudCustomData !== undefined) setCloudCustomData.run({ ...params, ccd: patch.cloudCustomData });
    scrubber.request();
    return { kind: 'ok', message: toMessage(findOne.get(params) as MessageRow) };
  }

  return {
    sendC2C: (app, message) => writes.run(() => send(app, message)),
    pageC2C: (app, query) => Promise.resolve(page(app, query)),
    modifyC2C: (app, ref, patch) => writes.run(() => modify(app, ref, patch)),
    recallC2C: (app, ref) =>
      writes.run(() => {
        const params = { app, ...ref };
        const row = findForUpdate.get(params) as { recalled: number } | undefined;
        if (row === undefined) return 'not_found' as const;
        if (row.recalled !== 0) return 'recalled' as const;
        recall.run(params);
        scrubber.request();
        return 'ok' as const;
      }),
  };
}

function sameIdentity(a: MessageRow, b: MessageRow): boolean {
  return a.msg_time === b.msg_time && a.msg_seq === b.msg_seq && a.msg_random === b.msg_random;
}
