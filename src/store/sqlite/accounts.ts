import type { Database } from 'better-sqlite3';
import type { AccountInput, AccountState } from '../types.js';
import { generationBump, generationWatch } from './generations.js';

/** Account writes; each runs inside the write queue's transaction. */
export function accountWrites(db: Database) {
  const upsert = db.prepare(
    `INSERT INTO accounts (app, user_id, nick, face_url, deleted) VALUES (@app, @userId, @nick, @faceUrl, 0)
     ON CONFLICT (app, user_id) DO UPDATE SET deleted = 0,
       nick = CASE WHEN @hasNick THEN excluded.nick ELSE nick END,
       face_url = CASE WHEN @hasFaceUrl THEN excluded.face_url ELSE face_url END`,
  );
  const markDeleted = db.prepare('UPDATE accounts SET deleted = 1 WHERE app = ? AND user_id = ? AND deleted = 0');
  const active = db.prepare('SELECT 1 FROM accounts WHERE app = ? AND user_id = ? AND deleted = 0').pluck();
  const bump = generationBump(db, 'accounts');
  return {
    importAccounts(app: number, accounts: readonly AccountInput[]): void {
      let statesChanged = false;
      for (const a of accounts) {
        // Re-importing an active account (admins at every start) changes no cached state.
        if (!statesChanged && active.get(app, a.userId) === undefined) statesChanged = true;
        upsert.run({
          app,
          userId: a.userId,
          nick: a.nick ?? '',
          faceUrl: a.faceUrl ?? '',
          hasNick: a.nick === undefined ? 0 : 1,
          hasFaceUrl: a.faceUrl === undefined ? 0 : 1,
        });
      }
      if (statesChanged) bump();
    },
    deleteAccounts(app: number, userIds: readonly string[]): ReadonlyMap<string, boolean> {
      const deleted = new Map(userIds.map((id) => [id, markDeleted.run(app, id).changes > 0]));
      if ([...deleted.values()].includes(true)) bump();
      return deleted;
    },
  };
}

/** Account states remembered in memory; the oldest is forgotten first. */
const CACHE_SIZE = 100_000;

/**
 * Account reads. Every call checks one or two accounts, so their states are kept in a bounded
 * cache. This process's own writes keep it right (`changed` is called once they are committed);
 * other processes' imports and deletes bump the accounts generation, and the cache is emptied
 * when a look-up sees it moved.
 */
export function accountReads(db: Database, shared: boolean) {
  const state = db.prepare('SELECT deleted FROM accounts WHERE app = ? AND user_id = ?').pluck();
  const cache = new Map<string, AccountState>();
  const key = (app: number, userId: string) => `${app}\u0000${userId}`;
  const movedElsewhere = generationWatch(db, 'accounts', shared);

  function accountState(app: number, userId: string): AccountState {
    const known = cache.get(key(app, userId));
    if (known !== undefined) return known;
    const deleted = state.get(app, userId) as number | undefined;
    const value = deleted === undefined ? 'none' : deleted === 0 ? 'active' : 'deleted';
    if (cache.size >= CACHE_SIZE) {
      const oldest = cache.keys().next();
      if (oldest.done !== true) cache.delete(oldest.value);
    }
    cache.set(key(app, userId), value);
    return value;
  }

  return {
    accountStates(app: number, userIds: readonly string[]): Promise<ReadonlyMap<string, AccountState>> {
      if (movedElsewhere()) cache.clear();
      return Promise.resolve(new Map(userIds.map((id) => [id, accountState(app, id)])));
    },
    accountState(app: number, userId: string): Promise<AccountState> {
      if (movedElsewhere()) cache.clear();
      return Promise.resolve(accountState(app, userId));
    },
    /** Forgets cached states after a committed import or delete; the next read asks the database. */
    changed(app: number, userIds: readonly string[]): void {
      for (const id of userIds) cache.delete(key(app, id));
    },
  };
}
