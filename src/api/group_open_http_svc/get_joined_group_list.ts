import { Type } from '@sinclair/typebox';
import { GROUP_TYPES } from '../../domain/group-id.js';
import { isUserId, userIdProblem } from '../../domain/user-id.js';
import type { Group, GroupMember } from '../../store/group-types.js';
import { type ApiContext, defineApi, fail, ok } from '../define.js';
import { requestSchema, U32 } from '../request.js';
import { groupBaseFields, pick } from './get_group_info.js';
import { ListGroupType, storedTypes } from './list-common.js';
import { activeMute } from './member-common.js';

/** The most groups one page may hold (Tencent's Limit). */
const MAX_LIMIT = 5000;
const Flag = Type.Union([Type.Literal(0), Type.Literal(1)]);
const Names = Type.Array(Type.String());

export const GetJoinedGroupList = requestSchema({
  Member_Account: Type.String(),
  /** 1: audio-video groups (AVChatRoom) too, which are left out by default. */
  WithHugeGroups: Type.Optional(Flag),
  /** 1: Private (Work) groups not yet active too; parley's groups are all active, so it changes nothing. */
  WithNoActiveGroups: Type.Optional(Flag),
  /** Groups per page; 0 or absent: all. */
  Limit: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_LIMIT })),
  Offset: Type.Optional(U32),
  GroupType: Type.Optional(ListGroupType),
  /** 1: only Communities with topics, each with its topics' GrossTopicNextMsgSeq. */
  SupportTopic: Type.Optional(Flag),
  ResponseFilter: Type.Optional(Type.Object({ GroupBaseInfoFilter: Type.Optional(Names), SelfInfoFilter: Type.Optional(Names) }, { additionalProperties: false })),
});

const FIELDS = ['WithHugeGroups', 'WithNoActiveGroups', 'Limit', 'Offset', 'GroupType', 'SupportTopic', 'ResponseFilter'] as const;

/** The account's own facts in a group, as get_group_info names them for a member. */
function selfInfo(ctx: ApiContext, m: GroupMember | undefined, names: readonly string[]): Record<string, unknown> {
  if (m === undefined) return {};
  const fields = { Role: m.role, JoinTime: m.joinTime, MsgSeq: m.readSeq, MsgFlag: m.msgFlag, LastSendMsgTime: m.lastSendTime, MuteUntil: activeMute(ctx, m) };
  return pick(fields, names, []);
}

/** One GroupIdList entry: GroupId, the profile fields and own facts the filters name, and the topic facts SupportTopic asks for. */
async function entry(ctx: ApiContext, g: Group, account: string, filter: { GroupBaseInfoFilter?: string[]; SelfInfoFilter?: string[] } | undefined, topics: boolean) {
  const store = ctx.deps.store;
  const app = ctx.app.sdkappid;
  const item: Record<string, unknown> = { GroupId: g.groupId };
  const base = filter?.GroupBaseInfoFilter;
  if (base !== undefined) {
    const memberNum = base.includes('MemberNum') ? (await store.groupMembers(app, g.groupId)).length : 0;
    Object.assign(item, pick(groupBaseFields(ctx, g, memberNum), base, []));
  }
  const self: Record<string, unknown> = filter?.SelfInfoFilter === undefined ? {} : selfInfo(ctx, await store.groupMember(app, g.groupId, account), filter.SelfInfoFilter);
  if (topics) {
    const all = await store.getTopics(app, g.groupId);
    Object.assign(item, { Type: g.type, SupportTopic: 1, GrossTopicNextMsgSeq: 1 + all.reduce((sum, t) => sum + t.nextMsgSeq - 1, 0) });
    // No read positions are kept per topic (as get_topic's SelfInfo.MsgSeq): nothing read.
    self['GrossTopicReadSeq'] = 0;
  }
  if (filter?.SelfInfoFilter !== undefined || topics) item['SelfInfo'] = self;
  return item;
}

/**
 * Lists the groups an account has joined, in the order it joined them, a page at a time by Offset
 * and Limit; audio-video groups only with WithHugeGroups 1 (or GroupType AVChatRoom).
 */
export const get_joined_group_list = defineApi({
  service: 'group_open_http_svc',
  command: 'get_joined_group_list',
  request: GetJoinedGroupList,
  invalidCode: 10004,
  summary: 'List the groups an account has joined, with profile and own-member fields.',
  codes: [10004, 10019],
  async handle(ctx, body) {
    const req = GetJoinedGroupList.read(body);
    if (!req.valid('Member_Account')) return fail(10004, req.problem('Member_Account'));
    const account = req.get('Member_Account');
    if (!isUserId(account)) return fail(10004, userIdProblem('Member_Account', account));
    for (const field of FIELDS) {
      if (req.has(field) && !req.valid(field)) return fail(10004, `${req.problem(field)}${field === 'Limit' ? ` (Limit: at most ${MAX_LIMIT})` : ''}`);
    }
    const store = ctx.deps.store;
    const app = ctx.app.sdkappid;
    if ((await store.accountState(app, account)) !== 'active') return fail(10019, `Member_Account "${account}" has not been imported (or was deleted)`);
    const type = req.get('GroupType');
    const types = type !== undefined ? storedTypes(type) : GROUP_TYPES.filter((t) => t !== 'AVChatRoom' || req.get('WithHugeGroups') === 1);
    const topics = req.get('SupportTopic') === 1;
    const limit = req.get('Limit');
    const page = await store.joinedGroupPage(app, account, { types, topicsOnly: topics, offset: req.get('Offset') ?? 0, ...(limit ? { limit } : {}) });
    const filter = req.get('ResponseFilter');
    const groups = await Promise.all(page.groupIds.map((id) => store.getGroup(app, id)));
    // A group destroyed between the page and its read is left out.
    const GroupIdList = await Promise.all(groups.filter((g): g is Group => g !== undefined).map((g) => entry(ctx, g, account, filter, topics)));
    return ok({ TotalCount: page.total, GroupIdList });
  },
});
