import { isGroupIdShape } from '../../domain/group-id.js';
import { printable } from '../../domain/user-id.js';
import type { Group, GroupKind } from '../../store/group-types.js';
import { type ApiContext, type Failure, fail } from '../define.js';

/** Checks the shape of a GroupId: 10015 when malformed, `missingCode` when missing or not a string. */
function groupIdProblem(value: unknown, missingCode: 10004 | 20001): Failure<10004 | 20001 | 10015> | undefined {
  if (typeof value !== 'string') return fail(missingCode, 'GroupId is required and must be a string');
  if (!isGroupIdShape(value)) return fail(10015, `GroupId "${printable(value)}" is malformed: 1-48 bytes of printable ASCII without spaces`);
  return undefined;
}

const noGroup = (groupId: string) => fail(10010, `group "${groupId}" does not exist or has been destroyed`);

/** The group a request names: 10015 when the GroupId is malformed, 10010 when there is none. */
export async function findGroup(ctx: ApiContext, value: unknown, missingCode: 10004 | 20001 = 10004): Promise<Group | Failure<10004 | 20001 | 10010 | 10015>> {
  const problem = groupIdProblem(value, missingCode);
  if (problem !== undefined) return problem;
  const groupId = value as string;
  return (await ctx.deps.store.getGroup(ctx.app.sdkappid, groupId)) ?? noGroup(groupId);
}

/** Like findGroup, but only the group's fixed facts, which the store may answer from memory (hot paths). */
export async function findGroupKind(ctx: ApiContext, value: unknown, missingCode: 10004 | 20001 = 10004): Promise<GroupKind | Failure<10004 | 20001 | 10010 | 10015>> {
  const problem = groupIdProblem(value, missingCode);
  if (problem !== undefined) return problem;
  const groupId = value as string;
  return (await ctx.deps.store.groupKind(ctx.app.sdkappid, groupId)) ?? noGroup(groupId);
}

/**
 * The topic a request names inside a group: '' when none is given; 10004 when topics do not
 * apply to the group, 10010 when the topic does not exist.
 */
export async function findTopic(ctx: ApiContext, group: GroupKind, value: unknown): Promise<string | Failure<10004 | 10010>> {
  // "" is how Tencent itself writes "no topic" (in callbacks), so a client may send it back.
  if (value === undefined || value === '') return '';
  if (typeof value !== 'string') return fail(10004, 'TopicId must be a string');
  if (group.type !== 'Community' || !group.supportTopic) {
    return fail(10004, `group "${group.groupId}" is not a Community with topics (SupportTopic 1), so TopicId does not apply`);
  }
  const topic = await ctx.deps.store.getTopic(ctx.app.sdkappid, group.groupId, value);
  if (topic === undefined) return fail(10010, `topic "${printable(value)}" does not exist in group "${group.groupId}"`);
  return value;
}

/** MsgPriority names and their numbers in history. */
export const PRIORITIES = { High: 1, Normal: 2, Low: 3, Lowest: 4 } as const;
