import { Type } from '@sinclair/typebox';
import { nowSeconds } from '../../deps.js';
import type { ImportedMember, ImportMemberResult } from '../../store/group-import-types.js';
import { defineApi, fail, isFailure, ok } from '../define.js';
import { requestSchema, U32 } from '../request.js';
import { findGroup } from './group-common.js';

/** Members one call imports at most (Tencent's current page: 20). */
export const MAX_IMPORTED_MEMBERS = 20;

export const ImportGroupMember = requestSchema({
  GroupId: Type.String(),
  MemberList: Type.Array(
    Type.Object(
      {
        Member_Account: Type.String({ pattern: '^[\\x21-\\x7e]{1,32}$' }),
        // Tencent: "currently only Admin"; Member is what an import without Role gives.
        Role: Type.Optional(Type.Union([Type.Literal('Admin'), Type.Literal('Member')])),
        JoinTime: Type.Optional(U32),
        UnreadMsgNum: Type.Optional(U32),
      },
      { additionalProperties: false },
    ),
    { minItems: 1, maxItems: MAX_IMPORTED_MEMBERS },
  ),
});

/** Result per member: 0 failed (not imported, or JoinTime not between the group's creation and now), 1 imported, 2 already a member. */
const RESULT: Readonly<Record<ImportMemberResult, number>> = { unknown_account: 0, bad_time: 0, added: 1, already: 2 };

/**
 * Imports up to 20 members with their historical join times and unread counts. No callback, no
 * notification, no event (Tencent's page).
 */
export const import_group_member = defineApi({
  service: 'group_open_http_svc',
  command: 'import_group_member',
  request: ImportGroupMember,
  invalidCode: 10004,
  summary: `Import up to ${MAX_IMPORTED_MEMBERS} members with their join times and unread counts.`,
  codes: [10004, 10007, 10010, 10014, 10015],
  async handle(ctx, body) {
    const req = ImportGroupMember.read(body);
    const group = await findGroup(ctx, body['GroupId']);
    if (isFailure(group)) return group;
    if (!req.valid('MemberList')) return fail(10004, `${req.problem('MemberList')} (MemberList: 1 to ${MAX_IMPORTED_MEMBERS} of {"Member_Account", "Role", "JoinTime", "UnreadMsgNum"})`);
    if (group.type === 'AVChatRoom') return fail(10007, 'import_group_member does not apply to AVChatRoom groups');
    const now = nowSeconds(ctx.deps.clock);
    const members: ImportedMember[] = req.get('MemberList').map((m) => ({ account: m.Member_Account, role: m.Role ?? 'Member', joinTime: m.JoinTime ?? now, unread: m.UnreadMsgNum }));
    const results = await ctx.deps.store.importGroupMembers(ctx.app.sdkappid, group.groupId, members, now);
    if (results === 'group_not_found') return fail(10010, `group "${group.groupId}" does not exist or has been destroyed`);
    if (results === 'full') return fail(10014, `group "${group.groupId}" would exceed its MaxMemberCount of ${group.maxMemberCount}`);
    const accounts = [...new Set(members.map((m) => m.account))];
    return ok({ MemberList: accounts.map((a) => ({ Member_Account: a, Result: RESULT[results.get(a) ?? 'unknown_account'] })) });
  },
});
