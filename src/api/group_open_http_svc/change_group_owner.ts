import { Type } from '@sinclair/typebox';
import { nowSeconds } from '../../deps.js';
import { defineApi, fail, isFailure, ok } from '../define.js';
import { requestSchema } from '../request.js';
import { findGroupKind } from './group-common.js';
import { accountsProblem } from './member-common.js';

export const ChangeGroupOwner = requestSchema({
  GroupId: Type.String(),
  NewOwner_Account: Type.String(),
});

/** Hands a group to one of its members; the old owner stays, as a Member. */
export const change_group_owner = defineApi({
  service: 'group_open_http_svc',
  command: 'change_group_owner',
  request: ChangeGroupOwner,
  invalidCode: 10004,
  summary: 'Make a member the owner of a group (the old owner becomes a Member).',
  codes: [10004, 10007, 10010, 10015, 10019],
  async handle(ctx, body) {
    const req = ChangeGroupOwner.read(body);
    const group = await findGroupKind(ctx, body['GroupId']);
    if (isFailure(group)) return group;
    if (!req.valid('NewOwner_Account')) return fail(10004, req.problem('NewOwner_Account'));
    if (group.type === 'AVChatRoom') return fail(10007, 'an AVChatRoom cannot change hands: change_group_owner does not apply to it');
    const account = req.get('NewOwner_Account');
    const accountProblem = await accountsProblem(ctx, 'NewOwner_Account', [account]);
    if (accountProblem !== undefined) return accountProblem;
    const outcome = await ctx.deps.store.changeGroupOwner(ctx.app.sdkappid, group.groupId, account, nowSeconds(ctx.deps.clock));
    if (outcome === 'group_not_found') return fail(10010, `group "${group.groupId}" does not exist or has been destroyed`);
    if (outcome === 'not_member') return fail(10007, `"${account}" is not a member of group "${group.groupId}"; add it first, then make it the owner`);
    return ok();
  },
});
