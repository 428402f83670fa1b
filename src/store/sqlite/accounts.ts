import type { Database } from 'better-sqlite3';
import type { AccountInput, AccountState, AccountStore } from '../types.js';
import type { WriteQueue } from './write-queue.js';

/** Accounts on SQLite. */
export function sqliteAccounts(db: Database, writes: WriteQueue): AccountStore {
  const upsert = db.prepare(
    `INSERT INTO accounts (app, user_id, nick, face_url, deleted) VALUES (@app, @userId, @nick, @faceUrl, 0)
     ON CONFLICT (app, user_id) DO UPDATE SET deleted = 0,
       nick = CASE WHEN @hasNick THEN excluded.nick ELSE nick END,
       face_url = CASE WHEN @hasFaceUrl THEN excluded.face_url ELSE face_url END`,
  );
  const markDeleted = db.prepare('UPDATE accounts SET deleted = 1 WHERE app = ? AND user_id = ? AND deleted = 0');
  const state = db.prepare('SELECT deleted FROM accounts WHERE app = ? AND user_id = ?').pluck();

  function accountState(app: number, userId: string): AccountState {
    const deleted = state.get(app, userId) as number | undefined;
    if (deleted === undefined) return 'none';
    return deleted === 0 ? 'active' : 'deleted';
  }

  return {
    importAccounts(app: number, accounts: readonly AccountInput[]) {
      return writes.run(() => {
        for (const a of accounts) {
          upsert.run({
            app,
            userId: a.userId,
            nick: a.nick ?? '',
            faceUrl: a.faceUrl ?? '',
            hasNick: a.nick === undefined ? 0 : 1,
            hasFaceUrl: a.faceUrl === undefined ? 0 : 1,
          });
        }
      });
    },

    deleteAccounts(app: number, userIds: readonly string[]) {
      return writes.run(() => new Map(userIds.map((id) => [id, markDeleted.run(app, id).changes > 0])));
    },

    accountStates(app: number, userIds: readonly string[]) {
      return Promise.resolve(new Map(userIds.map((id) => [id, accountState(app, id)])));
    },
  };
}
