import { Type } from '@sinclair/typebox';
import { nowSeconds } from '../../deps.js';
import { type ApiContext, fail, isFailure, type Outcome, ok } from '../define.js';
import { requestSchema } from '../request.js';
import { findGroupKind, findTopic } from './group-common.js';

export const GetGroupMutedAccount = requestSchema({
  GroupId: Type.String(),
  /** A Community topic: its members are the Community's, and so are their mutes. */
  TopicId: Type.Optional(Type.String()),
});

/**
 * The members muted now, under the names of the current API (MutedAccountList, MutedUntil) or of
 * its older one, get_group_shutted_uin (ShuttedUinList, ShuttedUntil).
 */
export async function mutedList(ctx: ApiContext, body: Readonly<Record<string, unknown>>, names: { list: string; until: string }): Promise<Outcome<10004 | 10010 | 10015 | 20001>> {
  const group = await findGroupKind(ctx, body['GroupId']);
  if (isFailure(group)) return group;
  const req = GetGroupMutedAccount.read(body);
  if (req.has('TopicId') && !req.valid('TopicId')) return fail(10004, req.problem('TopicId'));
  const topic = await findTopic(ctx, group, body['TopicId']);
  if (isFailure(topic)) return topic;
  const muted = await ctx.deps.store.mutedGroupMembers(ctx.app.sdkappid, group.groupId, nowSeconds(ctx.deps.clock));
  return ok({ GroupId: group.groupId, [names.list]: muted.map((m) => ({ Member_Account: m.account, [names.until]: m.muteUntil })) });
}
