import { Type } from '@sinclair/typebox';
import { nowSeconds } from '../../deps.js';
import { defineApi, fail, isFailure, ok } from '../define.js';
import { requestSchema } from '../request.js';
import { findGroup } from './group-common.js';

export const AddGroupMember = requestSchema({
  GroupId: Type.String(),
  Silence: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1)])),
  MemberList: Type.Array(Type.Object({ Member_Account: Type.String() }, { additionalProperties: false }), { minItems: 1, maxItems: 300 }),
});

/** Result per member: 0 failed (not imported), 1 added, 2 already a member. */
const RESULT = { unknown_account: 0, added: 1, already: 2 } as const;

/** Adds up to 300 imported accounts to a group. */
export const add_group_member = defineApi({
  service: 'group_open_http_svc',
  command: 'add_group_member',
  request: AddGroupMember,
  invalidCode: 10004,
  summary: 'Add up to 300 members to a group.',
  codes: [10004, 10010, 10014, 10015],
  async handle(ctx, body) {
    const req = AddGroupMember.read(body);
    const group = await findGroup(ctx, body['GroupId']);
    if (isFailure(group)) return group;
    for (const field of ['MemberList', 'Silence'] as const) {
      if ((field === 'MemberList' || req.has(field)) && !req.valid(field)) return fail(10004, `${req.problem(field)} (MemberList: 1 to 300 of {"Member_Account": ...})`);
    }
    if (group.type === 'AVChatRoom') return fail(10004, 'members join an AVChatRoom themselves; add_group_member does not apply');
    const accounts = [...new Set(req.get('MemberList').map((m) => m.Member_Account))];
    const results = await ctx.deps.store.addGroupMembers(ctx.app.sdkappid, group.groupId, accounts, nowSeconds(ctx.deps.clock));
    if (results === 'group_not_found') return fail(10010, `group "${group.groupId}" does not exist or has been destroyed`);
    if (results === 'full') return fail(10014, `group "${group.groupId}" would exceed its MaxMemberCount of ${group.maxMemberCount}`);
    const added = accounts.filter((a) => results.get(a) === 'added');
    if (added.length > 0) {
      ctx.deps.bus.publish({ type: 'group.members', app: ctx.app.sdkappid, operator: ctx.identifier, groupId: group.groupId, action: 'added', accounts: added, eventTime: ctx.deps.clock.nowMs() });
    }
    return ok({ MemberList: accounts.map((a) => ({ Member_Account: a, Result: RESULT[results.get(a) ?? 'unknown_account'] })) });
  },
});
