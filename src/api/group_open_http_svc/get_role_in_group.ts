import { Type } from '@sinclair/typebox';
import { defineApi, fail, isFailure, ok } from '../define.js';
import { requestSchema } from '../request.js';
import { findGroupKind } from './group-common.js';

const MAX_ACCOUNTS = 500;

export const GetRoleInGroup = requestSchema({
  GroupId: Type.String(),
  User_Account: Type.Array(Type.String(), { minItems: 1, maxItems: MAX_ACCOUNTS }),
});

/** Tells the role of up to 500 accounts in a group: Owner, Admin, Member or NotMember. */
export const get_role_in_group = defineApi({
  service: 'group_open_http_svc',
  command: 'get_role_in_group',
  request: GetRoleInGroup,
  invalidCode: 10004,
  summary: 'Tell the role of up to 500 accounts in a group (Owner, Admin, Member, NotMember).',
  codes: [10004, 10010, 10015],
  async handle(ctx, body) {
    const req = GetRoleInGroup.read(body);
    const group = await findGroupKind(ctx, body['GroupId']);
    if (isFailure(group)) return group;
    if (!req.valid('User_Account')) return fail(10004, `${req.problem('User_Account')} (User_Account: 1 to ${MAX_ACCOUNTS} UserIDs)`);
    const accounts = req.get('User_Account');
    const roles = await ctx.deps.store.memberRoles(ctx.app.sdkappid, group.groupId, accounts);
    return ok({ UserIdList: accounts.map((a) => ({ Member_Account: a, Role: roles.get(a) ?? 'NotMember' })) });
  },
});
