import { Type } from '@sinclair/typebox';
import { defineApi, fail, isFailure, ok } from '../define.js';
import { requestSchema } from '../request.js';
import { findGroup } from './group-common.js';

export const DeleteGroupMember = requestSchema({
  GroupId: Type.String(),
  Silence: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1)])),
  Reason: Type.Optional(Type.String()),
  MemberToDel_Account: Type.Array(Type.String(), { minItems: 1, maxItems: 100 }),
});

/** Removes up to 100 members; the owner cannot be removed, and non-members are ignored. */
export const delete_group_member = defineApi({
  service: 'group_open_http_svc',
  command: 'delete_group_member',
  request: DeleteGroupMember,
  invalidCode: 10004,
  summary: 'Remove up to 100 members from a group.',
  codes: [10004, 10010, 10015],
  async handle(ctx, body) {
    const req = DeleteGroupMember.read(body);
    const group = await findGroup(ctx, body['GroupId']);
    if (isFailure(group)) return group;
    for (const field of ['MemberToDel_Account', 'Silence', 'Reason'] as const) {
      if ((field === 'MemberToDel_Account' || req.has(field)) && !req.valid(field)) return fail(10004, req.problem(field));
    }
    const accounts = req.get('MemberToDel_Account');
    if (group.owner !== '' && accounts.includes(group.owner)) return fail(10004, `"${group.owner}" owns the group and cannot be removed`);
    const outcome = await ctx.deps.store.deleteGroupMembers(ctx.app.sdkappid, group.groupId, accounts);
    if (outcome === 'group_not_found') return fail(10010, `group "${group.groupId}" does not exist or has been destroyed`);
    ctx.deps.bus.publish({ type: 'group.members', app: ctx.app.sdkappid, operator: ctx.identifier, groupId: group.groupId, action: 'removed', accounts: [...new Set(accounts)], eventTime: ctx.deps.clock.nowMs() });
    return ok();
  },
});
