import type pg from 'pg';
import { IMAGE_TAG, NICK_TAG, type ProfileItem } from '../profile-types.js';
import { transaction } from './connection.js';

/** Profile tags on PostgreSQL, as sqlite/profiles.ts. */
export function postgresProfiles(pool: pg.Pool) {
  return {
    async setProfile(app: number, userId: string, items: readonly ProfileItem[]): Promise<boolean> {
      return transaction(pool, async (client) => {
        // The account row's lock keeps a concurrent delete from slipping between the check and the writes.
        const found = await client.query('SELECT 1 FROM accounts WHERE app = $1 AND user_id = $2 AND NOT deleted FOR UPDATE', [app, userId]);
        if (found.rowCount === 0) return false;
        const nick = items.find((i) => i.tag === NICK_TAG);
        const image = items.find((i) => i.tag === IMAGE_TAG);
        if (nick !== undefined || image !== undefined) {
          await client.query('UPDATE accounts SET nick = coalesce($3, nick), face_url = coalesce($4, face_url) WHERE app = $1 AND user_id = $2', [
            app,
            userId,
            nick === undefined ? null : (JSON.parse(nick.value) as string),
            image === undefined ? null : (JSON.parse(image.value) as string),
          ]);
        }
        // Later mentions of a tag win, as they would applied one by one.
        const rest = new Map(items.filter((i) => i.tag !== NICK_TAG && i.tag !== IMAGE_TAG).map((i) => [i.tag, i.value]));
        if (rest.size > 0) {
          await client.query(
            `INSERT INTO profiles (app, user_id, tag, value) SELECT $1, $2, t.tag, t.value FROM unnest($3::text[], $4::text[]) AS t(tag, value)
             ON CONFLICT (app, user_id, tag) DO UPDATE SET value = excluded.value`,
            [app, userId, [...rest.keys()], [...rest.values()]],
          );
        }
        return true;
      });
    },

    async getProfiles(app: number, userIds: readonly string[], tags: readonly string[]): Promise<ReadonlyMap<string, ReadonlyMap<string, string>>> {
      const accounts = await pool.query<{ user_id: string; nick: string; face_url: string }>(
        'SELECT user_id, nick, face_url FROM accounts WHERE app = $1 AND user_id = ANY($2::text[]) AND NOT deleted',
        [app, userIds],
      );
      const stored = await pool.query<{ user_id: string; tag: string; value: string }>(
        'SELECT user_id, tag, value FROM profiles WHERE app = $1 AND user_id = ANY($2::text[]) AND tag = ANY($3::text[])',
        [app, userIds, tags],
      );
      const wanted = new Set(tags);
      const found = new Map<string, Map<string, string>>();
      for (const r of accounts.rows) {
        const values = new Map<string, string>();
        if (r.nick !== '' && wanted.has(NICK_TAG)) values.set(NICK_TAG, JSON.stringify(r.nick));
        if (r.face_url !== '' && wanted.has(IMAGE_TAG)) values.set(IMAGE_TAG, JSON.stringify(r.face_url));
        found.set(r.user_id, values);
      }
      for (const r of stored.rows) found.get(r.user_id)?.set(r.tag, r.value);
      return found;
    },
  };
}
