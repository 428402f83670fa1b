import type { Database } from 'better-sqlite3';
import type { C2CDeleteOutcome, C2CImport, C2CImportOutcome, C2CUnread, MsgKeyParts } from '../c2c-state-types.js';
import type { WalScrubber } from './scrub.js';

/** The conversation's pair as the history index keys it. */
export function pair(a: string, b: string): [string, string] {
  return a < b ? [a, b] : [b, a];
}

/** Read state and unread counters (c2c_read_state); every statement runs inside the caller's transaction. */
export function readState(db: Database) {
  // A counted message arriving after what the receiver has read adds one.
  // Bound as: app, user, peer, time (positional: it runs with every send).
  const countOne = db.prepare(
    `INSERT INTO c2c_read_state (app, user_id, peer, unread) VALUES (?, ?, ?, 1)
     ON CONFLICT (app, user_id, peer) DO UPDATE SET unread = unread + (CASE WHEN ? > read_time THEN 1 ELSE 0 END)`,
  );
  const moveRead = db.prepare(
    `INSERT INTO c2c_read_state (app, user_id, peer, read_time) VALUES (@app, @user, @peer, @readTime)
     ON CONFLICT (app, user_id, peer) DO UPDATE SET read_time = max(read_time, excluded.read_time)`,
  );
  // Counts again what remains unread: the counted messages from peer after read_time that the
  // user has neither deleted nor seen recalled (the conversation index bounds the look-up).
  const recount = db.prepare(
    `UPDATE c2c_read_state SET unread = (
       SELECT count(*) FROM c2c_messages m
       WHERE m.app = @app AND m.user_lo = @lo AND m.user_hi = @hi AND m.msg_time > c2c_read_state.read_time
         AND m.from_account = @peer AND m.to_account = @user AND m.unread_counted = 1 AND m.recalled = 0 AND m.to_deleted = 0)
     WHERE app = @app AND user_id = @user AND peer = @peer`,
  );
  function recountOne(app: number, user: string, peer: string): void {
    const [lo, hi] = pair(user, peer);
    recount.run({ app, user, peer, lo, hi });
  }
  return {
    counted(app: number, user: string, peer: string, time: number): void {
      countOne.run(app, user, peer, time);
    },
    recount: recountOne,
    markRead(app: number, user: string, peer: string, readTime: number): void {
      moveRead.run({ app, user, peer, readTime });
      recountOne(app, user, peer);
    },
  };
}

export type ReadState = ReturnType<typeof readState>;

/** importmsg and delete_c2c_msg_ramble; each runs inside the write queue's transaction. */
export function c2cStateWrites(db: Database, scrubber: WalScrubber, reads: ReadState) {
  const active = db.prepare('SELECT 1 FROM accounts WHERE app = ? AND user_id = ? AND deleted = 0').pluck();
  const KEY = 'msg_seq = @seq AND msg_random = @random AND msg_time = @time';
  const duplicate = db
    .prepare(`SELECT 1 FROM c2c_messages WHERE app = @app AND ((from_account = @from AND to_account = @to) OR (from_account = @to AND to_account = @from)) AND ${KEY} LIMIT 1`)
    .pluck();
  const insert = db.prepare(
    `INSERT INTO c2c_messages (app, from_account, to_account, user_lo, user_hi, msg_seq, msg_random, msg_time, crc, body, cloud_custom_data, sender_sync, unread_counted)
     VALUES (@app, @from, @to, @lo, @hi, @seq, @random, @time, @crc, @body, @ccd, 1, @counted)`,
  );
  const hideSent = db.prepare(`UPDATE c2c_messages SET from_deleted = 1 WHERE app = @app AND from_account = @owner AND to_account = @peer AND ${KEY} AND from_deleted = 0`);
  const hideReceived = db.prepare(`UPDATE c2c_messages SET to_deleted = 1 WHERE app = @app AND from_account = @peer AND to_account = @owner AND ${KEY} AND to_deleted = 0`);
  // A message is gone for both once its receiver deleted it and its sender either deleted it too
  // or never had it in roaming (SyncOtherMachine 2). Under secure_delete the row's bytes are zeroed.
  const destroy = db.prepare(
    `DELETE FROM c2c_messages WHERE app = @app AND ((from_account = @owner AND to_account = @peer) OR (from_account = @peer AND to_account = @owner)) AND ${KEY}
       AND to_deleted = 1 AND (from_deleted = 1 OR sender_sync = 0)`,
  );

  return {
    importC2C(app: number, m: C2CImport): C2CImportOutcome {
      if (active.get(app, m.from) === undefined) return 'sender_unknown';
      if (active.get(app, m.to) === undefined) return 'recipient_unknown';
      const ref = { app, from: m.from, to: m.to, seq: m.seq, random: m.random, time: m.time };
      if (duplicate.get(ref) !== undefined) return 'duplicate';
      const [lo, hi] = pair(m.from, m.to);
      insert.run({ ...ref, lo, hi, crc: m.crc, body: m.body, ccd: m.cloudCustomData, counted: m.countUnread ? 1 : 0 });
      if (m.countUnread) reads.counted(app, m.to, m.from, m.time);
      return 'stored';
    },
    deleteC2CForOwner(app: number, owner: string, peer: string, keys: readonly MsgKeyParts[]): C2CDeleteOutcome {
      let hidden = 0;
      let destroyed = 0;
      for (const key of keys) {
        const params = { app, owner, peer, ...key };
        hidden += hideSent.run(params).changes + hideReceived.run(params).changes;
        destroyed += destroy.run(params).changes;
      }
      if (hidden > 0) reads.recount(app, owner, peer);
      if (destroyed > 0) scrubber.request();
      return { hidden, destroyed };
    },
  };
}

/** Unread counts and read times, read directly. */
export function c2cStateReads(db: Database) {
  const total = db.prepare('SELECT coalesce(sum(unread), 0) FROM c2c_read_state WHERE app = ? AND user_id = ?').pluck();
  const one = db.prepare('SELECT unread FROM c2c_read_state WHERE app = ? AND user_id = ? AND peer = ?').pluck();
  const readTime = db.prepare('SELECT read_time FROM c2c_read_state WHERE app = ? AND user_id = ? AND peer = ?').pluck();
  return {
    unreadC2C(app: number, user: string, peers: readonly string[]): Promise<C2CUnread> {
      const byPeer = new Map(peers.map((p) => [p, (one.get(app, user, p) as number | undefined) ?? 0]));
      return Promise.resolve({ total: total.get(app, user) as number, byPeer });
    },
    /** Up to when `user` has read what `peer` sent (0: nothing read). */
    readTime(app: number, user: string, peer: string): number {
      return (readTime.get(app, user, peer) as number | undefined) ?? 0;
    },
  };
}
