import { Type } from '@sinclair/typebox';
import { isUserId } from '../../domain/user-id.js';
import type { Topic } from '../../store/group-types.js';
import { defineApi, fail, isFailure, ok } from '../define.js';
import { requestSchema } from '../request.js';
import { findCommunity } from './topic-common.js';

/** The TopicInfo fields, in Tencent's order; ResponseFilter names a subset of them. */
const TOPIC_FIELDS = ['TopicName', 'GroupID', 'FaceUrl', 'TopicId', 'NextMsgSeq', 'Notification', 'Introduction', 'CreateTime', 'LastMsgTime', 'ShutUpAllFlag', 'CustomString'] as const;
type TopicField = (typeof TOPIC_FIELDS)[number];

export const GetTopic = requestSchema({
  GroupId: Type.String(),
  /** Whose SelfInfo (membership facts) each entry carries; the calling admin when left out. */
  From_Account: Type.Optional(Type.String()),
  TopicIdList: Type.Optional(Type.Array(Type.String(), { maxItems: 100 })),
  /** TopicInfo fields to return (TopicId always comes back); all when left out. */
  ResponseFilter: Type.Optional(Type.Array(Type.String())),
});

function topicInfo(t: Topic): Record<TopicField, string | number> {
  return {
    TopicName: t.name,
    GroupID: t.groupId,
    FaceUrl: t.faceUrl,
    TopicId: t.topicId,
    NextMsgSeq: t.nextMsgSeq,
    Notification: t.notification,
    Introduction: t.introduction,
    CreateTime: t.createTime,
    LastMsgTime: t.lastMsgTime,
    // modify_topic's MuteAllMember.
    ShutUpAllFlag: t.muteAll ? 1 : 0,
    CustomString: t.customString,
  };
}

/**
 * Reads the topics of a Community, the ones listed or all, each with From_Account's own facts in
 * it (SelfInfo), in Tencent's `TopicAndSelfInfo` shape.
 */
export const get_topic = defineApi({
  service: 'million_group_open_http_svc',
  command: 'get_topic',
  request: GetTopic,
  invalidCode: 10004,
  summary: 'Read the topics of a Community.',
  codes: [10004, 10010, 10015],
  async handle(ctx, body) {
    const req = GetTopic.read(body);
    const group = await findCommunity(ctx, body['GroupId']);
    if (isFailure(group)) return group;
    for (const field of ['From_Account', 'TopicIdList', 'ResponseFilter'] as const) {
      if (req.has(field) && !req.valid(field)) return fail(10004, req.problem(field));
    }
    const user = req.get('From_Account') ?? ctx.identifier;
    if (!isUserId(user) || (await ctx.deps.store.accountState(ctx.app.sdkappid, user)) !== 'active') {
      return fail(10004, `From_Account "${user}" is not an imported account`);
    }
    const filter = req.get('ResponseFilter');
    const fields = filter === undefined ? TOPIC_FIELDS : TOPIC_FIELDS.filter((f) => f === 'TopicId' || filter.includes(f));
    const member = await ctx.deps.store.groupMember(ctx.app.sdkappid, group.groupId, user);
    // No read state or per-topic mutes are kept yet: nothing read (MsgSeq 0), not muted.
    const SelfInfo = { ShutUpTime: 0, MsgSeq: 0, MsgFlag: member?.msgFlag ?? '' };

    const topics = await ctx.deps.store.getTopics(ctx.app.sdkappid, group.groupId);
    const byId = new Map(topics.map((t) => [t.topicId, t]));
    const wanted = req.get('TopicIdList');
    const ids = wanted === undefined || wanted.length === 0 ? topics.map((t) => t.topicId) : wanted;
    const TopicAndSelfInfo = ids.map((id) => {
      const t = byId.get(id);
      if (t === undefined) return { ErrorCode: 10010, ErrorInfo: 'the topic does not exist', SelfInfo, TopicInfo: { TopicId: id } };
      const info = topicInfo(t);
      return { ErrorCode: 0, ErrorInfo: '', SelfInfo, TopicInfo: Object.fromEntries(fields.map((f) => [f, info[f]])) };
    });
    return ok({ TopicAndSelfInfo });
  },
});
