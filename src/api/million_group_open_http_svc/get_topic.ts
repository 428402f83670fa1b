import { Type } from '@sinclair/typebox';
import { defineApi, fail, isFailure, ok } from '../define.js';
import { requestSchema } from '../request.js';
import { findCommunity } from './topic-common.js';

export const GetTopic = requestSchema({
  GroupId: Type.String(),
  TopicIdList: Type.Optional(Type.Array(Type.String(), { maxItems: 100 })),
});

/** Reads the topics of a Community: the ones listed, or all. */
export const get_topic = defineApi({
  service: 'million_group_open_http_svc',
  command: 'get_topic',
  summary: 'Read the topics of a Community.',
  codes: [10004, 10010, 10015],
  async handle(ctx, body) {
    const req = GetTopic.read(body);
    if (req.unknownField !== undefined) return fail(10004, `unknown field "${req.unknownField}"; get_topic takes GroupId and TopicIdList`);
    const group = await findCommunity(ctx, body['GroupId']);
    if (isFailure(group)) return group;
    if (req.has('TopicIdList') && !req.valid('TopicIdList')) return fail(10004, req.problem('TopicIdList'));
    const topics = await ctx.deps.store.getTopics(ctx.app.sdkappid, group.groupId);
    const wanted = req.get('TopicIdList');
    const byId = new Map(topics.map((t) => [t.topicId, t]));
    const TopicInfo = (wanted === undefined || wanted.length === 0 ? topics.map((t) => t.topicId) : wanted).map((id) => {
      const t = byId.get(id);
      if (t === undefined) return { TopicId: id, ErrorCode: 10010, ErrorInfo: 'the topic does not exist' };
      return {
        TopicId: t.topicId,
        ErrorCode: 0,
        ErrorInfo: '',
        TopicName: t.name,
        From_Account: t.fromAccount,
        CustomString: t.customString,
        FaceUrl: t.faceUrl,
        Notification: t.notification,
        Introduction: t.introduction,
        CreateTime: t.createTime,
        NextMsgSeq: t.nextMsgSeq,
        LastMsgTime: t.lastMsgTime,
      };
    });
    return ok({ TopicInfo });
  },
});
