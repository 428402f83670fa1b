import type { Database } from 'better-sqlite3';
import { type GroupPatch, type GroupPatchOutcome, type MemberPage, type MemberPageQuery, type MemberPatch, type MemberPatchOutcome, mergeKeyValues, type MuteOutcome } from '../group-admin-types.js';
import type { GroupMember } from '../group-types.js';
import { MEMBER_COLUMNS, type MemberRow, toMember } from '../rows.js';

/** Changes of groups and members after creation, and member pages, on SQLite; `writes` run inside the write queue. */
export function sqliteGroupAdmin(db: Database) {
  const selectGroup = db.prepare('SELECT app_defined_data FROM groups WHERE app = ? AND group_id = ?').pluck();
  const memberCount = db.prepare('SELECT count(*) FROM group_members WHERE app = ? AND group_id = ?').pluck();
  const updateGroup = db.prepare(
    `UPDATE groups SET name = coalesce(@name, name), introduction = coalesce(@introduction, introduction),
       notification = coalesce(@notification, notification), face_url = coalesce(@faceUrl, face_url),
       max_member_count = coalesce(@maxMemberCount, max_member_count), apply_join_option = coalesce(@applyJoinOption, apply_join_option),
       invite_join_option = coalesce(@inviteJoinOption, invite_join_option), mute_all = coalesce(@muteAll, mute_all),
       app_defined_data = @appDefinedData, info_seq = info_seq + 1, last_info_time = @time
     WHERE app = @app AND group_id = @groupId`,
  );
  const selectMember = db.prepare(`SELECT ${MEMBER_COLUMNS} FROM group_members WHERE app = ? AND group_id = ? AND account = ?`);
  const updateMember = db.prepare(
    `UPDATE group_members SET role = coalesce(@role, role), msg_flag = coalesce(@msgFlag, msg_flag), name_card = coalesce(@nameCard, name_card),
       app_defined_data = @appDefinedData, mute_until = coalesce(@muteUntil, mute_until)
     WHERE app = @app AND group_id = @groupId AND account = @account`,
  );
  const selectOwner = db.prepare('SELECT owner FROM groups WHERE app = ? AND group_id = ?').pluck();
  const setRole = db.prepare('UPDATE group_members SET role = ?, mute_until = CASE WHEN ? = \'Owner\' THEN 0 ELSE mute_until END WHERE app = ? AND group_id = ? AND account = ?');
  const setOwner = db.prepare('UPDATE groups SET owner = ?, info_seq = info_seq + 1, last_info_time = ? WHERE app = ? AND group_id = ?');
  const setMute = db.prepare('UPDATE group_members SET mute_until = ? WHERE app = ? AND group_id = ? AND account = ?');
  const muted = db.prepare(`SELECT ${MEMBER_COLUMNS} FROM group_members WHERE app = ? AND group_id = ? AND mute_until > ? ORDER BY join_time, account`);
  const page = db.prepare(
    `SELECT ${MEMBER_COLUMNS} FROM group_members
     WHERE app = @app AND group_id = @groupId
       AND (@roles IS NULL OR role IN (SELECT value FROM json_each(@roles)))
       AND (@afterAccount IS NULL OR (join_time, account) > (@afterTime, @afterAccount))
     ORDER BY join_time, account LIMIT @limit OFFSET @offset`,
  );

  const roleOf = db.prepare('SELECT role FROM group_members WHERE app = ? AND group_id = ? AND account = ?').pluck();

  function member(app: number, groupId: string, account: string): GroupMember | undefined {
    const row = selectMember.get(app, groupId, account) as MemberRow | undefined;
    return row === undefined ? undefined : toMember(row);
  }

  return {
    reads: {
      memberRoles(app: number, groupId: string, accounts: readonly string[]): Promise<ReadonlyMap<string, string>> {
        const roles = new Map<string, string>();
        for (const account of accounts) {
          const role = roleOf.get(app, groupId, account) as string | undefined;
          if (role !== undefined) roles.set(account, role);
        }
        return Promise.resolve(roles);
      },

      mutedGroupMembers(app: number, groupId: string, now: number): Promise<readonly GroupMember[]> {
        return Promise.resolve((muted.all(app, groupId, now) as MemberRow[]).map(toMember));
      },

      groupMemberPage(app: number, groupId: string, q: MemberPageQuery): Promise<MemberPage> {
        // One row more than asked tells whether the page is the last.
        const rows = page.all({
          app,
          groupId,
          roles: q.roles === undefined ? null : JSON.stringify(q.roles),
          afterAccount: q.after?.account ?? null,
          afterTime: q.after?.joinTime ?? 0,
          limit: q.limit === undefined ? -1 : q.limit + 1,
          offset: q.after === undefined ? q.offset : 0,
        }) as MemberRow[];
        const more = q.limit !== undefined && rows.length > q.limit;
        return Promise.resolve({ members: rows.slice(0, q.limit).map(toMember), total: memberCount.get(app, groupId) as number, more });
      },
    },

    writes: {
      modifyGroup(app: number, groupId: string, p: GroupPatch): GroupPatchOutcome {
        const stored = selectGroup.get(app, groupId) as string | undefined;
        if (stored === undefined) return 'group_not_found';
        if (p.maxMemberCount !== undefined) {
          const members = memberCount.get(app, groupId) as number;
          if (members > p.maxMemberCount) return { kind: 'below_members', members };
        }
        updateGroup.run({
          app,
          groupId,
          name: p.name ?? null,
          introduction: p.introduction ?? null,
          notification: p.notification ?? null,
          faceUrl: p.faceUrl ?? null,
          maxMemberCount: p.maxMemberCount ?? null,
          applyJoinOption: p.applyJoinOption ?? null,
          inviteJoinOption: p.inviteJoinOption ?? null,
          muteAll: p.muteAll === undefined ? null : p.muteAll ? 1 : 0,
          appDefinedData: p.appDefinedData === undefined ? stored : mergeKeyValues(stored, p.appDefinedData),
          time: p.time,
        });
        return 'ok';
      },

      modifyGroupMember(app: number, groupId: string, account: string, p: MemberPatch): MemberPatchOutcome {
        if (selectGroup.get(app, groupId) === undefined) return 'group_not_found';
        const m = member(app, groupId, account);
        if (m === undefined) return 'not_member';
        if (m.role === 'Owner' && (p.role !== undefined || (p.muteUntil ?? 0) > 0)) return 'owner';
        updateMember.run({
          app,
          groupId,
          account,
          role: p.role ?? null,
          msgFlag: p.msgFlag ?? null,
          nameCard: p.nameCard ?? null,
          appDefinedData: p.appDefinedData === undefined ? m.appDefinedData : mergeKeyValues(m.appDefinedData, p.appDefinedData),
          muteUntil: p.muteUntil ?? null,
        });
        return 'ok';
      },

      changeGroupOwner(app: number, groupId: string, account: string, time: number): 'ok' | 'group_not_found' | 'not_member' {
        const owner = selectOwner.get(app, groupId) as string | undefined;
        if (owner === undefined) return 'group_not_found';
        if (member(app, groupId, account) === undefined) return 'not_member';
        if (owner === account) return 'ok';
        if (owner !== '') setRole.run('Member', 'Member', app, groupId, owner);
        setRole.run('Owner', 'Owner', app, groupId, account);
        setOwner.run(account, time, app, groupId);
        return 'ok';
      },

      muteGroupMembers(app: number, groupId: string, accounts: readonly string[], until: number): MuteOutcome {
        const owner = selectOwner.get(app, groupId) as string | undefined;
        if (owner === undefined) return 'group_not_found';
        for (const account of accounts) {
          if (member(app, groupId, account) === undefined) return { kind: 'not_member', account };
          if (account === owner && until > 0) return 'owner';
        }
        for (const account of accounts) setMute.run(until, app, groupId, account);
        return 'ok';
      },
    },
  };
}
