import type pg from 'pg';
import { type GroupPatch, type GroupPatchOutcome, type MemberPage, type MemberPageQuery, type MemberPatch, type MemberPatchOutcome, mergeKeyValues, type MuteOutcome } from '../group-admin-types.js';
import type { GroupMember } from '../group-types.js';
import { MEMBER_COLUMNS, type MemberRow, toMember } from '../rows.js';
import { transaction } from './connection.js';

/**
 * Changes of groups and members after creation, and member pages, on PostgreSQL. Every change
 * first locks the group row, so it cannot interleave with another change, an add or a destroy.
 */
export function postgresGroupAdmin(pool: pg.Pool) {
  async function lockGroup(client: pg.PoolClient, app: number, groupId: string) {
    const r = await client.query<{ owner: string; app_defined_data: string }>('SELECT owner, app_defined_data FROM groups WHERE app = $1 AND group_id = $2 FOR UPDATE', [app, groupId]);
    return r.rows[0];
  }
  async function memberIn(client: pg.PoolClient, app: number, groupId: string, account: string): Promise<GroupMember | undefined> {
    const r = await client.query<MemberRow>(`SELECT ${MEMBER_COLUMNS} FROM group_members WHERE app = $1 AND group_id = $2 AND account = $3`, [app, groupId, account]);
    const row = r.rows[0];
    return row === undefined ? undefined : toMember(row);
  }
  async function countMembers(q: pg.ClientBase | pg.Pool, app: number, groupId: string): Promise<number> {
    const r = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM group_members WHERE app = $1 AND group_id = $2', [app, groupId]);
    return r.rows[0]?.n ?? 0;
  }

  return {
    async modifyGroup(app: number, groupId: string, p: GroupPatch): Promise<GroupPatchOutcome> {
      return transaction(pool, async (client) => {
        const group = await lockGroup(client, app, groupId);
        if (group === undefined) return 'group_not_found';
        if (p.maxMemberCount !== undefined) {
          const members = await countMembers(client, app, groupId);
          if (members > p.maxMemberCount) return { kind: 'below_members', members };
        }
        await client.query(
          `UPDATE groups SET name = coalesce($3, name), introduction = coalesce($4, introduction), notification = coalesce($5, notification),
             face_url = coalesce($6, face_url), max_member_count = coalesce($7, max_member_count), apply_join_option = coalesce($8, apply_join_option),
             invite_join_option = coalesce($9, invite_join_option), mute_all = coalesce($10, mute_all), app_defined_data = $11,
             info_seq = info_seq + 1, last_info_time = $12
           WHERE app = $1 AND group_id = $2`,
          [
            app,
            groupId,
            p.name ?? null,
            p.introduction ?? null,
            p.notification ?? null,
            p.faceUrl ?? null,
            p.maxMemberCount ?? null,
            p.applyJoinOption ?? null,
            p.inviteJoinOption ?? null,
            p.muteAll ?? null,
            p.appDefinedData === undefined ? group.app_defined_data : mergeKeyValues(group.app_defined_data, p.appDefinedData),
            p.time,
          ],
        );
        return 'ok';
      });
    },

    async modifyGroupMember(app: number, groupId: string, account: string, p: MemberPatch): Promise<MemberPatchOutcome> {
      return transaction(pool, async (client) => {
        if ((await lockGroup(client, app, groupId)) === undefined) return 'group_not_found';
        const m = await memberIn(client, app, groupId, account);
        if (m === undefined) return 'not_member';
        if (m.role === 'Owner' && (p.role !== undefined || (p.muteUntil ?? 0) > 0)) return 'owner';
        await client.query(
          `UPDATE group_members SET role = coalesce($4, role), msg_flag = coalesce($5, msg_flag), name_card = coalesce($6, name_card),
             app_defined_data = $7, mute_until = coalesce($8, mute_until)
           WHERE app = $1 AND group_id = $2 AND account = $3`,
          [
            app,
            groupId,
            account,
            p.role ?? null,
            p.msgFlag ?? null,
            p.nameCard ?? null,
            p.appDefinedData === undefined ? m.appDefinedData : mergeKeyValues(m.appDefinedData, p.appDefinedData),
            p.muteUntil ?? null,
          ],
        );
        return 'ok';
      });
    },

    async changeGroupOwner(app: number, groupId: string, account: string, time: number): Promise<'ok' | 'group_not_found' | 'not_member'> {
      return transaction(pool, async (client) => {
        const group = await lockGroup(client, app, groupId);
        if (group === undefined) return 'group_not_found';
        if ((await memberIn(client, app, groupId, account)) === undefined) return 'not_member';
        if (group.owner === account) return 'ok';
        await client.query("UPDATE group_members SET role = 'Member' WHERE app = $1 AND group_id = $2 AND account = $3", [app, groupId, group.owner]);
        await client.query("UPDATE group_members SET role = 'Owner', mute_until = 0 WHERE app = $1 AND group_id = $2 AND account = $3", [app, groupId, account]);
        await client.query('UPDATE groups SET owner = $3, info_seq = info_seq + 1, last_info_time = $4 WHERE app = $1 AND group_id = $2', [app, groupId, account, time]);
        return 'ok';
      });
    },

    async muteGroupMembers(app: number, groupId: string, accounts: readonly string[], until: number): Promise<MuteOutcome> {
      return transaction(pool, async (client) => {
        const group = await lockGroup(client, app, groupId);
        if (group === undefined) return 'group_not_found';
        const found = await client.query<{ account: string }>('SELECT account FROM group_members WHERE app = $1 AND group_id = $2 AND account = ANY($3::text[])', [
          app,
          groupId,
          accounts,
        ]);
        const members = new Set(found.rows.map((r) => r.account));
        for (const account of accounts) {
          if (!members.has(account)) return { kind: 'not_member', account };
          if (account === group.owner && until > 0) return 'owner';
        }
        await client.query('UPDATE group_members SET mute_until = $4 WHERE app = $1 AND group_id = $2 AND account = ANY($3::text[])', [app, groupId, accounts, until]);
        return 'ok';
      });
    },

    async memberRoles(app: number, groupId: string, accounts: readonly string[]): Promise<ReadonlyMap<string, string>> {
      const r = await pool.query<{ account: string; role: string }>('SELECT account, role FROM group_members WHERE app = $1 AND group_id = $2 AND account = ANY($3::text[])', [
        app,
        groupId,
        accounts,
      ]);
      return new Map(r.rows.map((row) => [row.account, row.role]));
    },

    async mutedGroupMembers(app: number, groupId: string, now: number): Promise<readonly GroupMember[]> {
      const r = await pool.query<MemberRow>(`SELECT ${MEMBER_COLUMNS} FROM group_members WHERE app = $1 AND group_id = $2 AND mute_until > $3 ORDER BY join_time, account`, [
        app,
        groupId,
        now,
      ]);
      return r.rows.map(toMember);
    },

    async groupMemberPage(app: number, groupId: string, q: MemberPageQuery): Promise<MemberPage> {
      const rows = await pool.query<MemberRow>(
        `SELECT ${MEMBER_COLUMNS} FROM group_members
         WHERE app = $1 AND group_id = $2 AND ($3::text[] IS NULL OR role = ANY($3::text[]))
           AND ($4::text IS NULL OR (join_time, account) > ($5::bigint, $4::text))
         ORDER BY join_time, account LIMIT $6 OFFSET $7`,
        [app, groupId, q.roles ?? null, q.after?.account ?? null, q.after?.joinTime ?? 0, q.limit === undefined ? null : q.limit + 1, q.after === undefined ? q.offset : 0],
      );
      const more = q.limit !== undefined && rows.rows.length > q.limit;
      return { members: rows.rows.slice(0, q.limit).map(toMember), total: await countMembers(pool, app, groupId), more };
    },
  };
}
