import type pg from 'pg';
import type { AccountInput, AccountState } from '../types.js';

/** Rows per INSERT when importing: well under PostgreSQL's 65535 bind parameters. */
const IMPORT_CHUNK = 1000;

/** Accounts remembered as known (ever imported); the oldest is forgotten first. */
const KNOWN_CACHED = 100_000;

/**
 * Accounts on PostgreSQL. States are not cached: another node may delete an account at any moment,
 * and its state must be right on every node at once. That an account was ever imported never
 * stops being true, so that alone is remembered.
 */
export function postgresAccounts(pool: pg.Pool) {
  const known = new Set<string>();
  const remember = (app: number, userId: string) => {
    if (known.size >= KNOWN_CACHED) {
      const oldest = known.values().next();
      if (oldest.done !== true) known.delete(oldest.value);
    }
    known.add(`${app}\u0000${userId}`);
  };
  async function accountState(app: number, userId: string): Promise<AccountState> {
    const result = await pool.query<{ deleted: boolean }>({ name: 'account-state', text: 'SELECT deleted FROM accounts WHERE app = $1 AND user_id = $2', values: [app, userId] });
    const state = stateOf(result.rows[0]?.deleted);
    if (state !== 'none') remember(app, userId);
    return state;
  }
  return {
    accountState,
    async accountKnown(app: number, userId: string): Promise<boolean> {
      return known.has(`${app}\u0000${userId}`) || (await accountState(app, userId)) !== 'none';
    },

    async importAccounts(app: number, accounts: readonly AccountInput[]): Promise<void> {
      // One row per account (a row may be named twice: what a later mention gives wins), since
      // one INSERT … ON CONFLICT cannot touch a row twice.
      const merged = new Map<string, AccountInput>();
      for (const a of accounts) {
        const before = merged.get(a.userId);
        merged.set(a.userId, { userId: a.userId, nick: a.nick ?? before?.nick, faceUrl: a.faceUrl ?? before?.faceUrl } as AccountInput);
      }
      const rows = [...merged.values()];
      // One statement per chunk is atomic on its own; a re-import repeats harmlessly.
      for (let i = 0; i < rows.length; i += IMPORT_CHUNK) {
        const chunk = rows.slice(i, i + IMPORT_CHUNK);
        await pool.query(
          `INSERT INTO accounts (app, user_id, nick, face_url, deleted)
           SELECT $1, u.user_id, coalesce(u.nick, ''), coalesce(u.face_url, ''), false
           FROM unnest($2::text[], $3::text[], $4::text[]) AS u(user_id, nick, face_url)
           ON CONFLICT (app, user_id) DO UPDATE SET deleted = false,
             nick = coalesce((SELECT v.nick FROM unnest($2::text[], $3::text[]) AS v(user_id, nick) WHERE v.user_id = excluded.user_id LIMIT 1), accounts.nick),
             face_url = coalesce((SELECT v.face_url FROM unnest($2::text[], $4::text[]) AS v(user_id, face_url) WHERE v.user_id = excluded.user_id LIMIT 1), accounts.face_url)`,
          [app, chunk.map((a) => a.userId), chunk.map((a) => a.nick ?? null), chunk.map((a) => a.faceUrl ?? null)],
        );
      }
    },

    async deleteAccounts(app: number, userIds: readonly string[]): Promise<ReadonlyMap<string, boolean>> {
      const result = await pool.query<{ user_id: string }>(
        'UPDATE accounts SET deleted = true WHERE app = $1 AND user_id = ANY($2::text[]) AND NOT deleted RETURNING user_id',
        [app, userIds],
      );
      const deleted = new Set(result.rows.map((r) => r.user_id));
      return new Map(userIds.map((id) => [id, deleted.has(id)]));
    },

    async accountStates(app: number, userIds: readonly string[]): Promise<ReadonlyMap<string, AccountState>> {
      const result = await pool.query<{ user_id: string; deleted: boolean }>('SELECT user_id, deleted FROM accounts WHERE app = $1 AND user_id = ANY($2::text[])', [
        app,
        userIds,
      ]);
      const found = new Map(result.rows.map((r) => [r.user_id, r.deleted]));
      return new Map(userIds.map((id) => [id, stateOf(found.get(id))]));
    },
  };
}

function stateOf(deleted: boolean | undefined): AccountState {
  return deleted === undefined ? 'none' : deleted ? 'deleted' : 'active';
}
