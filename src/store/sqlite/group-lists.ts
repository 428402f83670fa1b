import type { Database } from 'better-sqlite3';
import type { AppGroupPage, AppGroupQuery, JoinedGroupPage, JoinedGroupQuery } from '../group-list-types.js';

/** Group lists on SQLite: list_seq is given by a trigger at creation (schema.ts). */
export function sqliteGroupLists(db: Database) {
  const typeFilter = '(@types IS NULL OR type IN (SELECT value FROM json_each(@types)))';
  const page = db.prepare(`SELECT group_id, list_seq FROM groups WHERE app = @app AND list_seq > @after AND ${typeFilter} ORDER BY list_seq LIMIT @limit`);
  const count = db.prepare(`SELECT count(*) FROM groups WHERE app = @app AND ${typeFilter}`).pluck();
  const joinedWhere = `FROM group_members m JOIN groups g ON g.app = m.app AND g.group_id = m.group_id
     WHERE m.app = @app AND m.account = @account AND g.type IN (SELECT value FROM json_each(@types)) AND (@topicsOnly = 0 OR g.support_topic = 1)`;
  const joined = db.prepare(`SELECT m.group_id ${joinedWhere} ORDER BY m.join_time, m.group_id LIMIT @limit OFFSET @offset`).pluck();
  const joinedCount = db.prepare(`SELECT count(*) ${joinedWhere}`).pluck();

  return {
    appGroupPage(app: number, query: AppGroupQuery): Promise<AppGroupPage> {
      const types = query.types === undefined ? null : JSON.stringify(query.types);
      // One read transaction: the page and the count see the same groups.
      const read = db.transaction(() => {
        const rows = page.all({ app, after: query.after, types, limit: query.limit + 1 }) as { group_id: string; list_seq: number }[];
        const total = count.get({ app, types }) as number;
        const listed = rows.slice(0, query.limit);
        const last = listed[listed.length - 1];
        return { groupIds: listed.map((r) => r.group_id), total, next: rows.length > query.limit && last !== undefined ? last.list_seq : 0 };
      });
      return Promise.resolve(read());
    },

    joinedGroupPage(app: number, account: string, query: JoinedGroupQuery): Promise<JoinedGroupPage> {
      const params = { app, account, types: JSON.stringify(query.types), topicsOnly: query.topicsOnly ? 1 : 0 };
      const read = db.transaction(() => ({
        groupIds: joined.all({ ...params, limit: query.limit ?? -1, offset: query.offset }) as string[],
        total: joinedCount.get(params) as number,
      }));
      return Promise.resolve(read());
    },
  };
}
