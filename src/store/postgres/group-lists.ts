import type pg from 'pg';
import type { AppGroupPage, AppGroupQuery, JoinedGroupPage, JoinedGroupQuery } from '../group-list-types.js';

/** Group lists on PostgreSQL, as sqlite/group-lists.ts; list_seq is a BIGSERIAL column. */
export function postgresGroupLists(pool: pg.Pool) {
  return {
    async appGroupPage(app: number, query: AppGroupQuery): Promise<AppGroupPage> {
      const types = query.types ?? null;
      // One statement: the page and the count come from the same snapshot.
      const r = await pool.query<{ group_id: string | null; list_seq: string | null; total: string }>(
        `WITH matching AS (SELECT group_id, list_seq FROM groups WHERE app = $1 AND ($2::text[] IS NULL OR type = ANY($2::text[])))
         SELECT p.group_id, p.list_seq, (SELECT count(*) FROM matching) AS total
         FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT group_id, list_seq FROM matching WHERE list_seq > $3 ORDER BY list_seq LIMIT $4) p ON true`,
        [app, types, query.after, query.limit + 1],
      );
      const rows = r.rows.filter((row): row is { group_id: string; list_seq: string; total: string } => row.group_id !== null && row.list_seq !== null);
      const listed = rows.slice(0, query.limit);
      const last = listed[listed.length - 1];
      return { groupIds: listed.map((row) => row.group_id), total: Number(r.rows[0]?.total ?? 0), next: rows.length > query.limit && last !== undefined ? Number(last.list_seq) : 0 };
    },

    async joinedGroupPage(app: number, account: string, query: JoinedGroupQuery): Promise<JoinedGroupPage> {
      const r = await pool.query<{ group_id: string | null; total: string }>(
        `WITH matching AS (
           SELECT m.group_id, m.join_time FROM group_members m JOIN groups g ON g.app = m.app AND g.group_id = m.group_id
           WHERE m.app = $1 AND m.account = $2 AND g.type = ANY($3::text[]) AND (NOT $4 OR g.support_topic))
         SELECT p.group_id, (SELECT count(*) FROM matching) AS total
         FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT group_id FROM matching ORDER BY join_time, group_id LIMIT $5 OFFSET $6) p ON true`,
        [app, account, query.types, query.topicsOnly, query.limit ?? null, query.offset],
      );
      return { groupIds: r.rows.flatMap((row) => (row.group_id === null ? [] : [row.group_id])), total: Number(r.rows[0]?.total ?? 0) };
    },
  };
}
