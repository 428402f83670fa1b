import type { Group } from '../../store/group-types.js';
import { type ApiContext, type Failure, fail, isFailure } from '../define.js';
import { findGroup } from '../group_open_http_svc/group-common.js';

/** The Community with topics a topic API names: 10004 when the group has no topics. */
export async function findCommunity(ctx: ApiContext, value: unknown): Promise<Group | Failure<10004 | 10010 | 10015 | 20001>> {
  const group = await findGroup(ctx, value);
  if (isFailure(group)) return group;
  if (group.type !== 'Community' || !group.supportTopic) {
    return fail(10004, `group "${group.groupId}" is not a Community created with SupportTopic 1, so it has no topics`);
  }
  return group;
}
