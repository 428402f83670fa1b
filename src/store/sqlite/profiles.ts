import type { Database } from 'better-sqlite3';
import { IMAGE_TAG, NICK_TAG, type ProfileItem } from '../profile-types.js';

/** Profile tags on SQLite; setProfile runs inside the write queue. */
export function sqliteProfiles(db: Database) {
  const account = db.prepare('SELECT nick, face_url FROM accounts WHERE app = ? AND user_id = ? AND deleted = 0');
  const setNick = db.prepare('UPDATE accounts SET nick = ? WHERE app = ? AND user_id = ?');
  const setImage = db.prepare('UPDATE accounts SET face_url = ? WHERE app = ? AND user_id = ?');
  const upsert = db.prepare('INSERT INTO profiles (app, user_id, tag, value) VALUES (?, ?, ?, ?) ON CONFLICT (app, user_id, tag) DO UPDATE SET value = excluded.value');
  const tagsOf = db.prepare('SELECT tag, value FROM profiles WHERE app = ? AND user_id = ?');

  return {
    setProfile(app: number, userId: string, items: readonly ProfileItem[]): boolean {
      if (account.get(app, userId) === undefined) return false;
      for (const { tag, value } of items) {
        if (tag === NICK_TAG) setNick.run(JSON.parse(value) as string, app, userId);
        else if (tag === IMAGE_TAG) setImage.run(JSON.parse(value) as string, app, userId);
        else upsert.run(app, userId, tag, value);
      }
      return true;
    },

    getProfiles(app: number, userIds: readonly string[], tags: readonly string[]): ReadonlyMap<string, ReadonlyMap<string, string>> {
      const wanted = new Set(tags);
      const found = new Map<string, ReadonlyMap<string, string>>();
      for (const userId of userIds) {
        const row = account.get(app, userId) as { nick: string; face_url: string } | undefined;
        if (row === undefined) continue;
        // A tag never set is not reported; Nick and FaceUrl are '' until set.
        const values = new Map<string, string>();
        if (row.nick !== '') values.set(NICK_TAG, JSON.stringify(row.nick));
        if (row.face_url !== '') values.set(IMAGE_TAG, JSON.stringify(row.face_url));
        for (const r of tagsOf.all(app, userId) as { tag: string; value: string }[]) values.set(r.tag, r.value);
        found.set(userId, new Map([...values].filter(([tag]) => wanted.has(tag))));
      }
      return found;
    },
  };
}
