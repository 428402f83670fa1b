import { Type } from '@sinclair/typebox';
import { defineApi, fail, isFailure, ok } from '../define.js';
import { requestSchema } from '../request.js';
import { findGroup } from './group-common.js';

export const DestroyGroup = requestSchema({ GroupId: Type.String() });

/** Destroys a group with its members, topics and whole history (destroyed securely). */
export const destroy_group = defineApi({
  service: 'group_open_http_svc',
  command: 'destroy_group',
  request: DestroyGroup,
  invalidCode: 10004,
  summary: 'Destroy a group, its topics and its history.',
  codes: [10004, 10010, 10015],
  async handle(ctx, body) {
    const group = await findGroup(ctx, body['GroupId']);
    if (isFailure(group)) return group;
    // Read first: once destroyed, nobody could say whom to tell (the event stream's Group.Destroyed).
    const members = (await ctx.deps.store.groupMembers(ctx.app.sdkappid, group.groupId)).map((m) => m.account);
    if (!(await ctx.deps.store.destroyGroup(ctx.app.sdkappid, group.groupId))) return fail(10010, `group "${group.groupId}" does not exist or has been destroyed`);
    ctx.deps.bus.publish({ type: 'group.destroyed', app: ctx.app.sdkappid, operator: ctx.identifier, groupId: group.groupId, members, eventTime: ctx.deps.clock.nowMs() });
    return ok();
  },
});
